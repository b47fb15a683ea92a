class ConditionalRaise < ActiveRecord::Migration[6.1]
  def up
    add_column :accounts, :legacy, :text
  end

  def down
    raise ActiveRecord::IrreversibleMigration, "legacy data present" if select_value("SELECT count(*) FROM accounts WHERE legacy IS NOT NULL").to_i > 0
    remove_column :accounts, :legacy
  end
end
