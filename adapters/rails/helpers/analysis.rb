# frozen_string_literal: true

# Static reading of one migration file with Ruby's own parser (Ripper): is it reversible, and does it
# opt out of the DDL transaction? Nothing here loads or runs the migration: code in a migration can
# touch the database (model calls), so status must never execute it.
#
# `reversible: false` only where ActiveRecord itself would refuse the rollback (a `down` that raises
# ActiveRecord::IrreversibleMigration, or a `change` command whose inverse ActiveRecord 6.1's
# CommandRecorder raises for). Anything this reading cannot classify is "unknown", never guessed.
require "ripper"

module MetamigMigrationAnalysis
  Call = Struct.new(:name, :receiver, :args, :block, :line)

  # Commands of `change` that ActiveRecord records and can invert without more information.
  REVERSIBLE = %w[
    add_column add_index add_reference add_belongs_to add_timestamps add_foreign_key add_check_constraint
    create_table create_join_table drop_join_table rename_table rename_column rename_index change_column_null
    enable_extension disable_extension remove_reference remove_belongs_to remove_timestamps say
  ].freeze
  # Blocks in which the migration itself says what happens in each direction.
  SELF_MANAGED = %w[reversible up_only revert].freeze
  # Blocks whose body runs as part of `change` and is recorded like the rest.
  TRANSPARENT = %w[say_with_time transaction].freeze
  # Methods CommandRecorder does not record: they run as-is in BOTH directions.
  RUN_BOTH_WAYS = %w[exec_query exec_insert exec_update exec_delete insert update delete select_all select_value select_values select_rows].freeze
  # ActiveRecord::ConnectionAdapters::Table methods (inside change_table) that invert without more information.
  TABLE_REVERSIBLE = %w[
    column index timestamps references belongs_to foreign_key check_constraint rename rename_index change_null
    remove_references remove_belongs_to remove_timestamps
    string text integer bigint float decimal numeric datetime timestamp time date binary blob boolean
    json jsonb uuid inet cidr macaddr hstore citext xml tsvector interval bit bit_varying money point line
    lseg box path polygon circle ltree int4range int8range numrange tsrange tstzrange daterange
  ].freeze

  module_function

  def analyze(path)
    sexp = Ripper.sexp(File.read(path))
    return { reversible: "unknown", detail: "Ruby could not parse the file", transactional: "unknown" } unless sexp

    klass = migration_class(sexp, path)
    return { reversible: "unknown", detail: "no class inheriting from ActiveRecord::Migration found", transactional: "unknown" } unless klass

    body = body_statements(klass[3])
    { className: const_name(klass[1]) }.merge(transactional(klass, body)).merge(reversibility(body))
  end

  # ---- structure ---------------------------------------------------------------------------------

  def migration_class(sexp, path)
    classes = []
    walk(sexp) { |n| classes << n if n[0] == :class }
    wanted = File.basename(path, ".rb").sub(/\A\d+_/, "").sub(/\..*\z/, "").split("_").map(&:capitalize).join
    migrations = classes.select { |c| migration_superclass?(c[2]) }
    migrations.find { |c| const_name(c[1]).split("::").last.casecmp?(wanted) } || migrations.first
  end

  def migration_superclass?(node)
    return false unless node.is_a?(Array)
    text = const_text(node[0] == :aref ? node[1] : node)
    !text.nil? && text.end_with?("Migration")
  end

  def const_text(node)
    return nil unless node.is_a?(Array)
    case node[0]
    when :var_ref, :const_ref, :top_const_ref then node[1][0] == :@const ? node[1][1] : nil
    when :const_path_ref
      left = const_text(node[1])
      left && "#{left}::#{node[2][1]}"
    when :@const then node[1]
    end
  end

  def const_name(node)
    const_text(node) || "?"
  end

  def body_statements(bodystmt)
    return [] unless bodystmt.is_a?(Array)
    stmts = bodystmt[0] == :bodystmt ? bodystmt[1] : bodystmt
    Array(stmts).reject { |s| s.is_a?(Array) && s[0] == :void_stmt }
  end

  def find_def(body, name)
    body.find do |n|
      (n[0] == :def && n[1][1] == name) || (n[0] == :defs && n[3][1] == name)
    end
  end

  def def_body(node)
    body_statements(node[0] == :def ? node[3] : node[5])
  end

  def walk(node, &blk)
    return unless node.is_a?(Array)
    yield node if node[0].is_a?(Symbol)
    node.each { |child| walk(child, &blk) }
  end

  def line_of(node)
    walk(node) { |n| return n[2][0] if n[0].to_s.start_with?("@") && n[2].is_a?(Array) }
    nil
  end

  # ---- calls ---------------------------------------------------------------------------------------

  def call_of(node)
    return nil unless node.is_a?(Array)
    case node[0]
    when :command then Call.new(node[1][1], nil, node[2], nil, line_of(node))
    when :fcall, :vcall then Call.new(node[1][1], nil, nil, nil, line_of(node))
    when :command_call then Call.new(ident(node[3]), node[1], node[4], nil, line_of(node))
    when :call then Call.new(ident(node[3]), node[1], nil, nil, line_of(node))
    when :method_add_arg
      c = call_of(node[1])
      c&.tap { c.args = node[2] }
    when :method_add_block
      c = call_of(node[1])
      c&.tap { c.block = node[2] }
    end
  end

  def ident(node)
    node.is_a?(Array) ? node[1] : node.to_s
  end

  # [positional nodes, option keys, splat?] of an argument list node.
  def arguments(node)
    node = node[1] if node.is_a?(Array) && node[0] == :arg_paren
    return [[], [], false] if node.nil? || node.empty?
    list = node[0] == :args_add_block ? node[1] : node
    return [[], [], true] if !list.is_a?(Array) || list[0].is_a?(Symbol) # args_add_star etc.
    positional = []
    keys = []
    list.each do |arg|
      if arg[0] == :bare_assoc_hash || arg[0] == :hash
        pairs = arg[0] == :hash ? Array(arg[1]&.dig(1)) : arg[1]
        pairs.each { |pair| keys << key_name(pair[1]) if pair[0] == :assoc_new }
      else
        positional << arg
      end
    end
    [positional, keys.compact, false]
  end

  def key_name(node)
    case node[0]
    when :@label then node[1].chomp(":")
    when :symbol_literal then node.dig(1, 1, 1)
    when :dyna_symbol then node.dig(1, 0, 1)
    end
  end

  def block_statements(block)
    return [] unless block
    body_statements(block[2]) # do_block: [:do_block, vars, bodystmt]; brace_block: [:brace_block, vars, stmts]
  end

  def block_param(block)
    block&.dig(1, 1, 1, 0, 1)
  end

  # ---- transactions --------------------------------------------------------------------------------

  def transactional(klass, body)
    disabled = body.any? { |n| (c = call_of(n)) && c.receiver.nil? && c.name == "disable_ddl_transaction!" }
    return { transactional: false, transactionDetail: "disable_ddl_transaction!" } if disabled
    superclass = const_text(klass[2][0] == :aref ? klass[2][1] : klass[2])
    return { transactional: true } if ["ActiveRecord::Migration", "::ActiveRecord::Migration"].include?(superclass)
    { transactional: "unknown", transactionDetail: "inherits from #{superclass}: whether that class calls disable_ddl_transaction! is not visible in this file" }
  end

  # ---- reversibility -------------------------------------------------------------------------------

  def reversibility(body)
    change = find_def(body, "change")
    return change_reversibility(def_body(change)) if change # ActiveRecord prefers change over up/down

    down = find_def(body, "down")
    up = find_def(body, "up")
    return down_reversibility(def_body(down)) if down
    if up
      return { reversible: "unknown", detail: "defines up but no down: rolling it back only deletes its schema_migrations row (ActiveRecord runs nothing), so whatever up changed stays" }
    end
    { reversible: true }
  end

  def down_reversibility(stmts)
    top = stmts.find { |s| irreversible_raise(s) }
    if top
      message = raise_message(top)
      return { reversible: false, irreversibleReason: "its down raises ActiveRecord::IrreversibleMigration#{message ? ": #{message}" : ''}", line: line_of(top) }
    end
    nested = false
    stmts.each { |s| walk(s) { |n| nested ||= irreversible_raise(n) } }
    return { reversible: "unknown", detail: "its down raises ActiveRecord::IrreversibleMigration under some condition" } if nested
    { reversible: true }
  end

  def irreversible_raise(node)
    c = call_of(node)
    return false unless c && c.receiver.nil? && %w[raise fail].include?(c.name)
    positional, = arguments(c.args)
    first = positional.first
    return false unless first
    first = first[1] if first[0] == :method_add_arg && first[1][0] == :call # Foo.new("…")
    first = first[1] if first[0] == :call
    text = const_text(first)
    !text.nil? && text.split("::").last == "IrreversibleMigration"
  end

  def raise_message(node)
    positional, = arguments(call_of(node).args)
    literal = positional[1] || (positional[0][0] == :method_add_arg ? arguments(positional[0][2])[0][0] : nil)
    string_value(literal)
  end

  def string_value(node)
    return nil unless node.is_a?(Array) && node[0] == :string_literal
    parts = node[1][1..]
    parts.all? { |p| p[0] == :@tstring_content } ? parts.map { |p| p[1] }.join : nil
  end

  def change_reversibility(stmts)
    unknown = nil
    stmts.each do |stmt|
      verdict = change_statement(stmt)
      next if verdict.nil?
      return { reversible: false, irreversibleReason: verdict[:reason], line: verdict[:line] } if verdict[:kind] == :irreversible
      unknown ||= verdict
    end
    return { reversible: "unknown", detail: unknown[:reason], line: unknown[:line] } if unknown
    { reversible: true }
  end

  # nil = reversible; otherwise {kind: :irreversible | :unknown, reason:, line:}
  def change_statement(stmt)
    c = call_of(stmt)
    return { kind: :unknown, reason: "change contains code metamig cannot classify (#{stmt[0]})", line: line_of(stmt) } unless c
    if c.receiver
      return { kind: :unknown, reason: "change calls #{const_text(c.receiver) || 'a method on an object'}.#{c.name}, which metamig cannot classify", line: c.line }
    end

    positional, keys, splat = arguments(c.args)
    no = ->(reason) { { kind: :irreversible, reason: "change uses #{c.name}#{reason}", line: c.line } }
    return { kind: :unknown, reason: "#{c.name} is called with a splat: its arguments are not visible", line: c.line } if splat

    case c.name
    when "execute" then no.call(", which ActiveRecord cannot reverse (write up/down or a reversible block)")
    when "change_column" then no.call(", which ActiveRecord cannot reverse (write up/down)")
    when "remove_column" then positional.size + (keys.empty? ? 0 : 1) <= 2 ? no.call(" without a column type") : nil
    when "remove_columns" then keys.include?("type") ? nil : no.call(" without type:")
    when "drop_table" then positional.size == 1 && keys.empty? && c.block.nil? ? no.call(" without options or a block") : nil
    when "remove_index" then positional.size >= 2 || keys.include?("column") ? nil : no.call(" without a column")
    when "change_column_default", "change_column_comment", "change_table_comment"
      keys.include?("from") && keys.include?("to") ? nil : no.call(" without from: and to:")
    when "remove_foreign_key" then positional.size >= 2 || keys.include?("to_table") ? nil : no.call(" without the referenced table")
    when "remove_check_constraint" then positional.size >= 2 ? nil : no.call(" without the expression")
    when "change_table" then change_table_block(c)
    when *TRANSPARENT
      inner = change_reversibility(block_statements(c.block))
      inner[:reversible] == true ? nil : { kind: inner[:reversible] == false ? :irreversible : :unknown, reason: inner[:irreversibleReason] || inner[:detail], line: inner[:line] }
    when *SELF_MANAGED, *REVERSIBLE then nil
    when *RUN_BOTH_WAYS
      { kind: :unknown, reason: "change calls #{c.name}, which ActiveRecord does not record: it runs the same way when rolling back", line: c.line }
    else
      { kind: :unknown, reason: "change calls #{c.name}, which metamig cannot classify", line: c.line }
    end
  end

  def change_table_block(call)
    param = block_param(call.block)
    block_statements(call.block).each do |stmt|
      c = call_of(stmt)
      unless c && c.receiver.is_a?(Array) && c.receiver[0] == :var_ref && c.receiver[1][1] == param
        return { kind: :unknown, reason: "change_table contains code metamig cannot classify", line: line_of(stmt) }
      end
      positional, keys, splat = arguments(c.args)
      no = ->(reason) { { kind: :irreversible, reason: "change_table uses t.#{c.name}#{reason}", line: c.line } }
      verdict =
        case c.name
        when "remove" then keys.include?("type") ? nil : no.call(" without type:")
        when "change" then no.call(", which ActiveRecord cannot reverse (write up/down)")
        when "change_default" then keys.include?("from") && keys.include?("to") ? nil : no.call(" without from: and to:")
        when "remove_index" then positional.size >= 1 || keys.include?("column") ? nil : no.call(" without a column")
        when "remove_foreign_key" then positional.size >= 1 || keys.include?("to_table") ? nil : no.call(" without the referenced table")
        when "remove_check_constraint" then positional.size >= 1 ? nil : no.call(" without the expression")
        when *TABLE_REVERSIBLE then nil
        else { kind: :unknown, reason: "change_table calls t.#{c.name}, which metamig cannot classify", line: c.line }
        end
      verdict = { kind: :unknown, reason: "t.#{c.name} is called with a splat", line: c.line } if splat && verdict.nil?
      return verdict if verdict
    end
    nil
  end
end
