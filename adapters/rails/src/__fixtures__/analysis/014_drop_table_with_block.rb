class DropTableWithBlock < ActiveRecord::Migration[6.1]
  def change
    drop_table :audit_logs do |t|
      t.string :message
    end
  end
end
