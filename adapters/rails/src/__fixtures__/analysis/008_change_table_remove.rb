class ChangeTableRemove < ActiveRecord::Migration[6.1]
  def change
    change_table :accounts do |t|
      t.string :nickname
      t.remove :kind
    end
  end
end
