class ChangeColumnType < ActiveRecord::Migration[6.1]
  def change
    change_column :accounts, :name, :text
  end
end
