class ChangeDefaultBare < ActiveRecord::Migration[6.1]
  def change
    change_column_default :accounts, :active, false
  end
end
