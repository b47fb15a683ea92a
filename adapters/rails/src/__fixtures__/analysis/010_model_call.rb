class ModelCall < ActiveRecord::Migration[6.1]
  def change
    add_column :accounts, :active, :boolean, default: true
    Account.reset_column_information
  end
end
