class RemoveTypedColumn < ActiveRecord::Migration[6.1]
  def change
    remove_column :accounts, :slug, :string, null: true
  end
end
