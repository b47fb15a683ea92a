class RemoveIndexByName < ActiveRecord::Migration[6.1]
  def change
    remove_index :accounts, name: :index_accounts_on_name
  end
end
