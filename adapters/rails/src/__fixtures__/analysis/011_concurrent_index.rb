class ConcurrentIndex < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_index :accounts, :slug, algorithm: :concurrently
  end
end
