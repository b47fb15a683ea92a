# frozen_string_literal: true

# metamig's helper for Rails / ActiveRecord projects. It boots the project the way `bin/rails db:…`
# (or `rake db:…` for a standalone ActiveRecord Rakefile) does — the project's Gemfile, its Rakefile,
# its `db:load_config` — then answers ONE request through ActiveRecord's own migration API, or runs
# the project's own db:* rake tasks in this process. It prints ONE JSON document as the last line of
# stdout; everything Rails and the migrations print goes to stderr.
#
#   ruby metamig_rails.rb version
#   ruby metamig_rails.rb analyze FILE…
#   ruby metamig_rails.rb status  --layout app|standalone [--database NAME]
#   ruby metamig_rails.rb run     --layout … [--database NAME] TASK [VAR=value…] [TASK [VAR=value…]…]
#   ruby metamig_rails.rb plan    --layout … [--database NAME] --direction up|down VERSION…
#
# Environment: RAILS_ENV (always set by metamig), DATABASE_URL / <NAME>_DATABASE_URL (an override),
# METAMIG_RAILS_EXPECT (JSON: the database the override names; the helper refuses to run anything
# when the project's configuration does not end up using it).
require "json"
require "digest"
require "tmpdir"
require_relative "analysis"

JSON_OUT = $stdout.dup
$stdout.reopen($stderr) # migrations and Rails print with puts: keep stdout for the JSON document
PROTOCOL = 1

class MetamigStop < StandardError
  attr_reader :kind, :extra

  def initialize(kind, message, extra = {})
    super(message)
    @kind = kind
    @extra = extra
  end
end

def emit(doc)
  JSON_OUT.write("\n#{JSON.generate({ protocol: PROTOCOL }.merge(doc))}\n")
  JSON_OUT.flush
end

def error_json(e)
  out = { class: e.class.name, message: e.message.to_s }
  out[:cause] = { class: e.cause.class.name, message: e.cause.message.to_s } if e.cause
  out
end

def parse_args(argv)
  opts = { rest: [] }
  args = argv.dup
  while (a = args.shift)
    case a
    when "--layout", "--database", "--direction" then opts[a.delete_prefix("--").to_sym] = args.shift
    else opts[:rest] << a
    end
  end
  opts
end

# ---- booting the project ---------------------------------------------------------------------------

def gem_versions
  v = { ruby: RUBY_VERSION }
  v[:activerecord] = ActiveRecord.version.to_s if defined?(ActiveRecord) && ActiveRecord.respond_to?(:version)
  v[:rails] = Rails.version if defined?(Rails) && Rails.respond_to?(:version)
  v[:rake] = Rake::VERSION if defined?(Rake::VERSION)
  v[:bundler] = Bundler::VERSION if defined?(Bundler::VERSION) && ENV["BUNDLE_GEMFILE"]
  v
end

def missing_gem?(e)
  e.is_a?(LoadError) || (defined?(Bundler::GemNotFound) && e.is_a?(Bundler::GemNotFound)) ||
    (defined?(Gem::MissingSpecError) && e.is_a?(Gem::MissingSpecError)) || (e.cause && missing_gem?(e.cause))
end

def setup_bundler
  gemfile = ENV["BUNDLE_GEMFILE"]
  return unless gemfile && File.exist?(gemfile)
  require "bundler/setup" # what `bundle exec` (and a Rails app's config/boot.rb) does
end

def boot(layout)
  setup_bundler
  require "rake"
  app = Rake.application
  app.init(layout == "app" ? "rails" : "rake", [])
  # As `bin/rails` does: show only the project's own lines of a backtrace.
  app.options.suppress_backtrace_pattern = /\A(?!#{Regexp.quote(Dir.pwd)})/
  app.options.nosearch = true # this project's Rakefile, never one found in a parent folder
  app.raw_load_rakefile
  unless Rake::Task.task_defined?("db:load_config")
    raise MetamigStop.new("no-db-tasks", "The Rakefile does not define ActiveRecord's database tasks (db:load_config)")
  end
  Rake::Task["db:load_config"].invoke
  app
rescue MetamigStop
  raise
rescue Exception => e # rubocop:disable Lint/RescueException -- SyntaxError, LoadError, SystemExit from the project
  raise MetamigStop.new(missing_gem?(e) ? "missing-gem" : "boot", "#{e.class}: #{e.message}", { backtrace: project_backtrace(e) })
end

def project_backtrace(e)
  Array(e.backtrace).select { |l| l.start_with?(Dir.pwd) }.first(5)
end

# ---- databases -----------------------------------------------------------------------------------

def engine_of(adapter)
  case adapter.to_s
  when /postg/ then "postgres"
  when /sqlite/ then "sqlite"
  when /mysql|trilogy/ then "mysql"
  else "unknown"
  end
end

def project_root
  defined?(Rails.root) && Rails.root ? Rails.root.to_s : Dir.pwd
end

def sqlite_path(hash)
  db = hash[:database].to_s
  return db if db == ":memory:" || db.start_with?("file:")
  File.expand_path(db, project_root)
end

def relative(path)
  path = File.expand_path(path)
  path.start_with?("#{Dir.pwd}/") ? path.delete_prefix("#{Dir.pwd}/") : path
end

# Where db:schema:dump writes (6.1: dump_filename; 7.0+: schema_dump_path, nil when dumping is off).
def schema_file(cfg)
  tasks = ActiveRecord::Tasks::DatabaseTasks
  tasks.respond_to?(:schema_dump_path) ? tasks.schema_dump_path(cfg) : tasks.dump_filename(cfg.name)
end

def describe(cfg)
  h = cfg.configuration_hash
  engine = engine_of(h[:adapter])
  out = { name: cfg.name, adapter: h[:adapter], engine: engine, fromUrl: cfg.is_a?(ActiveRecord::DatabaseConfigurations::UrlConfig) }
  if engine == "sqlite"
    out[:database] = sqlite_path(h)
  else
    out[:database] = h[:database]
    out[:host] = h[:host] if h[:host]
    out[:port] = h[:port].to_i if h[:port]
  end
  paths = Array(cfg.migrations_paths || ActiveRecord::Tasks::DatabaseTasks.migrations_paths)
  out[:migrationsPaths] = paths.map { |p| relative(File.expand_path(p, project_root)) }
  out[:schemaFile] = schema_file(cfg) && relative(schema_file(cfg))
  out
end

def select_database(name)
  env = ActiveRecord::Tasks::DatabaseTasks.env
  configs = ActiveRecord::Base.configurations.configs_for(env_name: env)
  raise MetamigStop.new("no-config", "No database is configured for the #{env} environment", { env: env }) if configs.empty?
  selected = name ? configs.find { |c| c.name == name } : (configs.find { |c| c.name == "primary" } || configs.first)
  unless selected
    raise MetamigStop.new("unknown-database", "The #{env} environment has no database named #{name}", { names: configs.map(&:name) })
  end
  [env, configs, selected]
end

def expected
  raw = ENV["METAMIG_RAILS_EXPECT"]
  raw && !raw.empty? ? JSON.parse(raw) : nil
end

# The override must really be what the project's configuration resolved to (a `url:` in database.yml,
# a hard-coded establish_connection or another RAILS_ENV would silently win over DATABASE_URL).
def verify_config!(cfg, exp)
  return unless exp
  got = describe(cfg)
  same =
    if exp["engine"] == "sqlite"
      got[:engine] == "sqlite" && got[:database] == exp["file"]
    else
      got[:engine] == exp["engine"] && got[:database] == exp["database"] &&
        (got[:host].nil? || exp["host"].nil? || got[:host] == exp["host"]) && (got[:port].nil? || got[:port] == exp["port"])
    end
  return if same
  raise MetamigStop.new("override-ignored", "The #{cfg.name} database of the #{cfg.env_name} environment resolves to #{got[:engine]} #{got[:database]}, not the database metamig was asked to use",
                        { configured: got.slice(:engine, :adapter, :database, :host, :port, :fromUrl), env: cfg.env_name, name: cfg.name })
end

def verify_connection!(conn, exp)
  return unless exp && exp["engine"] == "postgres"
  current = conn.select_value("SELECT current_database()")
  return if current == exp["database"]
  raise MetamigStop.new("override-ignored", "The connection ActiveRecord opened is to database #{current}, not #{exp['database']}", { connected: current })
end

def sqlite_file_missing?(cfg)
  h = cfg.configuration_hash
  engine_of(h[:adapter]) == "sqlite" && sqlite_path(h) != ":memory:" && !File.exist?(sqlite_path(h))
end

def connect(cfg, exp = nil)
  ActiveRecord::Base.establish_connection(cfg)
  conn = ActiveRecord::Base.connection
  verify_connection!(conn, exp)
  conn
end

# ---- status --------------------------------------------------------------------------------------

# schema_migrations stores versions as strings; ActiveRecord compares them as "%.3d" % version.
def normalized(version)
  format("%.3d", version.to_i)
end

def migration_files(cfg)
  paths = Array(cfg.migrations_paths || ActiveRecord::Tasks::DatabaseTasks.migrations_paths).map { |p| File.expand_path(p, project_root) }
  ActiveRecord::MigrationContext.new(paths, ActiveRecord::SchemaMigration).migrations.map do |m|
    base = File.basename(m.filename, ".rb")
    { version: normalized(m.version), name: base.sub(/\A\d+_/, ""), className: m.name,
      file: relative(m.filename), scope: m.scope.to_s }.merge(MetamigMigrationAnalysis.analyze(m.filename))
  end
end

def read_status(cfg, exp)
  files = migration_files(cfg)
  return { databaseExists: false, tableExists: false, applied: [], files: files } if sqlite_file_missing?(cfg)
  begin
    conn = connect(cfg, exp)
    context = conn.migration_context
    table = context.schema_migration.table_exists?
  rescue ActiveRecord::NoDatabaseError => e
    return { databaseExists: false, tableExists: false, applied: [], files: files, connectError: e.message.to_s }
  end
  applied = table ? context.schema_migration.all_versions.map { |v| normalized(v) } : []
  { databaseExists: true, tableExists: table, applied: applied, files: files, supportsDdlTransactions: conn.supports_ddl_transactions? }
end

def op_status(opts)
  boot(opts[:layout])
  env, configs, selected = select_database(opts[:database])
  exp = expected
  verify_config!(selected, exp)
  databases = configs.map do |cfg|
    entry = describe(cfg).merge(selected: cfg.equal?(selected))
    if !cfg.equal?(selected) && exp
      entry.merge(skipped: "metamig's database override applies to #{selected.name} only")
    elsif cfg.equal?(selected)
      entry.merge(read_status(cfg, exp))
    else
      begin
        entry.merge(read_status(cfg, nil))
      rescue StandardError => e
        entry.merge(error: error_json(e))
      end
    end
  end
  { op: "status", ok: true, env: env, versions: gem_versions, schemaMigrationsTable: ActiveRecord::Base.schema_migrations_table_name, databases: databases }
end

# ---- run: the project's own db:* tasks -----------------------------------------------------------

TASK_VARS = /\A([A-Z][A-Z0-9_]*)=(.*)\z/m.freeze

def parse_tasks(words)
  words.each_with_object([]) do |w, list|
    if (m = TASK_VARS.match(w))
      raise MetamigStop.new("usage", "#{w} comes before any task") if list.empty?
      list.last[1][m[1]] = m[2]
    else
      list << [w, {}]
    end
  end
end

# Multi-database apps refuse the plain db:migrate:up / db:rollback …; `db:migrate` would migrate
# EVERY database. metamig works on one database: the namespaced task of the selected one.
def task_for(task, cfg, multi)
  multi ? "#{task}:#{cfg.name}" : task
end

def digests(files)
  files.to_h { |f| [f, File.exist?(f) ? Digest::SHA256.file(f).hexdigest : nil] }
end

def op_run(opts)
  app = boot(opts[:layout])
  env, configs, selected = select_database(opts[:database])
  exp = expected
  verify_config!(selected, exp)
  connect(selected, exp) unless sqlite_file_missing?(selected)
  tasks = parse_tasks(opts[:rest])
  raise MetamigStop.new("usage", "no task given") if tasks.empty?
  schema_files = configs.map { |c| schema_file(c) }.compact.uniq
  before = digests(schema_files)
  ran = []
  failure = nil
  tasks.each do |name, vars|
    task = task_for(name, selected, configs.size > 1)
    vars.each { |k, v| ENV[k] = v }
    entry = { task: task, vars: vars }
    begin
      Rake::Task[task].reenable
      Rake::Task[task].invoke
      ran << entry.merge(ok: true)
    rescue SystemExit => e # Kernel.abort inside a task: it already printed its message
      failure = { class: "SystemExit", message: e.message.to_s }
      ran << entry.merge(ok: false)
    rescue Exception => e # rubocop:disable Lint/RescueException -- report everything a task raises, as rake would
      app.display_error_message(e) # "rails aborted!" …: the tool's own words, on stderr
      failure = error_json(e)
      ran << entry.merge(ok: false)
    ensure
      vars.each_key { |k| ENV.delete(k) }
    end
    break if failure
  end
  after = digests(schema_files)
  dumped = schema_files.select { |f| before[f] != after[f] }.map { |f| { file: relative(f), created: before[f].nil? } }
  applied =
    begin
      conn = connect(selected)
      sm = conn.migration_context.schema_migration
      sm.table_exists? ? sm.all_versions.map { |v| normalized(v) } : []
    rescue StandardError
      nil
    end
  { op: "run", ok: failure.nil?, env: env, versions: gem_versions, database: selected.name, multi: configs.size > 1,
    ran: ran, error: failure, schemaDumped: dumped, appliedAfter: applied }
end

# ---- plan: run the migrations where nothing stays, record every query ------------------------------

def capture_into(steps)
  ActiveSupport::Notifications.subscribe("sql.active_record") do |*, payload|
    step = steps[:current]
    next unless step && !payload[:cached]
    binds = payload[:type_casted_binds]
    binds = binds.call if binds.respond_to?(:call)
    names = Array(payload[:binds]).map { |b| b.respond_to?(:name) ? b.name : nil }
    step[:statements] << { sql: payload[:sql], name: payload[:name], binds: Array(binds).each_with_index.map { |v, i| [names[i], v] } }
  end
end

def sqlite_copy(cfg, dir)
  src = sqlite_path(cfg.configuration_hash)
  copy = File.join(dir, "preview.sqlite3")
  if File.exist?(src)
    require "sqlite3"
    from = SQLite3::Database.new(src, readonly: true)
    to = SQLite3::Database.new(copy)
    backup = SQLite3::Backup.new(to, "main", from, "main")
    backup.step(-1)
    backup.finish
    to.close
    from.close
  end
  [src, copy]
end

# What `db:migrate:up|down VERSION=` runs (MigrationContext#run): one migration, its own DDL transaction.
def run_step(direction, version, conn, savepoint)
  savepoint ? conn.transaction(requires_new: true) { conn.migration_context.run(direction, version) } : conn.migration_context.run(direction, version)
end

def op_plan(opts)
  boot(opts[:layout])
  env, _configs, selected = select_database(opts[:database])
  exp = expected
  verify_config!(selected, exp)
  direction = opts[:direction] == "down" ? :down : :up
  versions = opts[:rest].map(&:to_i)
  engine = engine_of(selected.configuration_hash[:adapter])
  unless %w[postgres sqlite].include?(engine)
    return { op: "plan", ok: true, env: env, versions: gem_versions, mode: "none", engine: engine,
             steps: versions.map { |v| { version: v.to_s, statements: [], unavailable: "#{engine} commits DDL immediately: metamig cannot run it where nothing stays" } } }
  end
  ActiveRecord::Migration.verbose = false
  Dir.mktmpdir("metamig-rails-plan") do |dir|
    mode = engine == "sqlite" ? "copy" : "transaction"
    conn =
      if mode == "copy"
        src, copy = sqlite_copy(selected, dir)
        ActiveRecord::Base.establish_connection(selected.configuration_hash.merge(database: copy))
        ActiveRecord::Base.connection
      else
        connect(selected, exp)
      end
    had_table = conn.migration_context.schema_migration.table_exists?
    migrations = conn.migration_context.migrations
    capture = { current: nil }
    capture_into(capture)
    steps = []
    body = lambda do
      stopped = nil
      skipped = nil
      versions.each do |v|
        step = { version: normalized(v), statements: [] }
        steps << step
        proxy = migrations.find { |m| m.version == v }
        if proxy.nil?
          step[:unavailable] = "its file is missing"
        elsif stopped
          step[:unavailable] = "not previewed: #{stopped} failed in the preview, and Rails stops at the first failure"
        elsif mode == "transaction" && proxy.disable_ddl_transaction
          step[:unavailable] = "it calls disable_ddl_transaction!, so it cannot run inside the transaction metamig rolls back; it was not run"
          skipped ||= step[:version]
        else
          capture[:current] = step
          begin
            run_step(direction, v, conn, mode == "transaction")
          rescue StandardError => e
            if skipped
              step[:unavailable] = "could not be previewed: it failed after #{skipped} was skipped (not run in the preview): #{e.cause || e}"
            else
              step[:error] = error_json(e)
              stopped = step[:version]
            end
          ensure
            capture[:current] = nil
          end
        end
      end
    end
    if mode == "transaction"
      conn.transaction do
        body.call
        raise ActiveRecord::Rollback
      end
    else
      body.call
    end
    ActiveRecord::Base.remove_connection
    { op: "plan", ok: true, env: env, versions: gem_versions, mode: mode, engine: engine, database: selected.name,
      sourceFile: mode == "copy" ? relative(src) : nil, hadMigrationsTable: had_table,
      bookkeepingTables: [ActiveRecord::Base.schema_migrations_table_name, ActiveRecord::Base.internal_metadata_table_name], steps: steps }
  end
end

# ---- main ----------------------------------------------------------------------------------------

def op_version
  setup_bundler
  require "active_record"
  require "rake"
  begin
    require "rails/version"
  rescue LoadError
    nil # a standalone ActiveRecord project need not have railties
  end
  { op: "version", ok: true, versions: gem_versions }
rescue Exception => e # rubocop:disable Lint/RescueException
  raise MetamigStop.new(missing_gem?(e) ? "missing-gem" : "boot", "#{e.class}: #{e.message}")
end

opts = parse_args(ARGV.drop(1))
op = ARGV.first
begin
  doc =
    case op
    when "version" then op_version
    when "analyze" then { op: "analyze", ok: true, files: opts[:rest].map { |f| { file: f }.merge(MetamigMigrationAnalysis.analyze(f)) } }
    when "status" then op_status(opts)
    when "run" then op_run(opts)
    when "plan" then op_plan(opts)
    else raise MetamigStop.new("usage", "unknown operation #{op.inspect}")
    end
  emit(doc)
  exit(doc[:ok] ? 0 : 1)
rescue MetamigStop => e
  emit({ op: op, ok: false, stage: "setup", kind: e.kind, error: { message: e.message }.merge(e.extra), versions: gem_versions })
  exit(e.kind == "usage" ? 2 : 3)
rescue StandardError, ScriptError => e
  emit({ op: op, ok: false, stage: "run", error: error_json(e).merge(backtrace: project_backtrace(e)), versions: gem_versions })
  exit 1
end
