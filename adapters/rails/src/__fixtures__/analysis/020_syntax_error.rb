class SyntaxError < ActiveRecord::Migration[6.1]
  def change
    add_column :accounts, :x, :string
  # missing end
