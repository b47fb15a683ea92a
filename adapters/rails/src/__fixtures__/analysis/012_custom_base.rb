class CustomBase < ApplicationMigration
  def change
    add_column :accounts, :region, :string
  end
end
