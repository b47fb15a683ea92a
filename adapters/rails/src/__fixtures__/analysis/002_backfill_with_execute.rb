class BackfillWithExecute < ActiveRecord::Migration[6.1]
  def change
    add_column :accounts, :slug, :string
    execute "UPDATE accounts SET slug = lower(name)"
  end
end
