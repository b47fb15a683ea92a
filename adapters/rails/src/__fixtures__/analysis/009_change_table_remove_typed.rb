class ChangeTableRemoveTyped < ActiveRecord::Migration[6.1]
  def change
    change_table :accounts do |t|
      t.remove :nickname, type: :string
      t.index :name, unique: true
    end
  end
end
