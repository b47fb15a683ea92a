class ExecuteInsideReversible < ActiveRecord::Migration[6.1]
  def change
    add_column :accounts, :kind, :string
    reversible do |dir|
      dir.up { execute "UPDATE accounts SET kind = 'user'" }
      dir.down { execute "UPDATE accounts SET kind = NULL" }
    end
  end
end
