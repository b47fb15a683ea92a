class OldStyleClassMethods < ActiveRecord::Migration
  def self.up
    add_column :accounts, :legacy_id, :integer
  end

  def self.down
    raise IrreversibleMigration
  end
end
