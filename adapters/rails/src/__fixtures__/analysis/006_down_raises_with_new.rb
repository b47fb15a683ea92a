class DownRaisesWithNew < ActiveRecord::Migration[6.1]
  def up
    drop_table :audit_logs
  end

  def down
    raise ActiveRecord::IrreversibleMigration.new("audit logs are gone for good")
  end
end
