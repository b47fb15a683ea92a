# frozen_string_literal: true

# The oracle for the static analysis test: ActiveRecord itself. Each sample migration is loaded and
# reverted against a CommandRecorder (no database): ActiveRecord raises IrreversibleMigration exactly
# where a real rollback would. Prints one JSON document: { "<file>": "reversible" | "irreversible" | "undecided: …" }.
require "active_record"
require "json"

# CommandRecorder's delegate, just enough for change_table.
class OracleDelegate
  def update_table_definition(name, base)
    ActiveRecord::ConnectionAdapters::Table.new(name, base)
  end
end

ActiveRecord::Migration.verbose = false
verdicts = ARGV.to_h do |file|
  before = ObjectSpace.each_object(Class).select { |c| c < ActiveRecord::Migration }
  verdict =
    begin
      load file
      klass = (ObjectSpace.each_object(Class).select { |c| c < ActiveRecord::Migration } - before).first
      migration = klass.new
      recorder = ActiveRecord::Migration::CommandRecorder.new(OracleDelegate.new)
      migration.instance_variable_set(:@connection, recorder)
      migration.respond_to?(:change) ? recorder.revert { migration.change } : migration.down
      "reversible"
    rescue ActiveRecord::IrreversibleMigration
      "irreversible"
    rescue ScriptError, StandardError => e
      "undecided: #{e.class}"
    end
  [File.basename(file), verdict]
end
puts JSON.generate(verdicts)
