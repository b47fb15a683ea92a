class OnlyUp < ActiveRecord::Migration[6.1]
  def up
    execute "DELETE FROM accounts WHERE name IS NULL"
  end
end
