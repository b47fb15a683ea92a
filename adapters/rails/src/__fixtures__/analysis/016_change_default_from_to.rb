class ChangeDefaultFromTo < ActiveRecord::Migration[6.1]
  def change
    change_column_default :accounts, :active, from: true, to: false
    change_column_null :accounts, :name, false
  end
end
