class DropTableBare < ActiveRecord::Migration[6.1]
  def change
    drop_table :audit_logs
  end
end
