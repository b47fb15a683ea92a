class RemoveUntypedColumn < ActiveRecord::Migration[6.1]
  def change
    remove_column :accounts, :slug
  end
end
