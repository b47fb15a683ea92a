<?php
// metamig's Laravel helper. It is not run on its own: metamig starts the project's own artisan as
//
//     php -d auto_prepend_file=<this file> -d display_errors=stderr artisan --version -q
//
// so the application boots exactly as artisan always boots it (the project's own autoloader —
// vendor/autoload.php or whatever artisan requires — bootstrap/app.php, .env, config, providers).
// `--version -q` prints nothing. At shutdown this file asks the booted application's own Migrator
// and migration repository what metamig needs and prints ONE JSON document as the last line of
// stdout, starting with {"metamig_laravel":1.
//
// Request (environment, never argv):
//   METAMIG_LARAVEL_REQUEST  {"op":"status"}
//                            {"op":"plan","command":"migrate"|"migrate:rollback","options":{"--step":2,...}}
//   METAMIG_LARAVEL_EXPECT   the override metamig set through DB_* (no password), checked against the
//                            configuration Laravel really resolved: {"driver":"pgsql","database":"app",...}

namespace MetamigLaravel;

register_shutdown_function(__NAMESPACE__.'\\main');

final class Failure extends \RuntimeException
{
    /** @var string */
    public $stage;

    public function __construct(string $stage, string $message, ?\Throwable $previous = null)
    {
        parent::__construct($message, 0, $previous);
        $this->stage = $stage;
    }
}

function main(): void
{
    $request = json_decode((string) getenv('METAMIG_LARAVEL_REQUEST'), true);
    $op = is_array($request) && isset($request['op']) ? (string) $request['op'] : 'status';
    try {
        $app = booted_app();
        $doc = $op === 'plan' ? plan($app, $request) : status($app);
        emit(['ok' => true, 'op' => $op, 'laravelVersion' => $app->version(), 'php' => PHP_VERSION] + $doc);
    } catch (Failure $f) {
        emit(['ok' => false, 'op' => $op, 'stage' => $f->stage, 'error' => describe($f->getPrevious() ?? $f, $f->getMessage())]);
    } catch (\Throwable $e) {
        // Our own code met an API it did not expect: metamig falls back to parsing artisan's text.
        emit(['ok' => false, 'op' => $op, 'stage' => 'helper', 'error' => describe($e)]);
    }
}

function emit(array $doc): void
{
    $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR;
    fwrite(STDOUT, "\n".json_encode(['metamig_laravel' => 1] + $doc, $flags)."\n");
}

function describe(\Throwable $e, ?string $message = null): array
{
    return ['message' => $message ?? $e->getMessage(), 'class' => get_class($e), 'file' => $e->getFile(), 'line' => $e->getLine()];
}

/** The application artisan just booted, or a 'boot' failure saying why there is none. */
function booted_app()
{
    // Only a fatal error explains a missing application (warnings are often @-silenced on purpose);
    // an exception during boot has been rendered by artisan itself, above our line.
    $last = error_get_last();
    $fatal = $last && in_array($last['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR], true);
    $why = $fatal ? $last['message'] : 'see the output of artisan';
    if (! class_exists('Illuminate\\Container\\Container')) {
        throw new Failure('boot', "artisan did not load Laravel: {$why}");
    }
    $app = \Illuminate\Container\Container::getInstance();
    if (! $app instanceof \Illuminate\Contracts\Foundation\Application || ! $app->isBooted()) {
        throw new Failure('boot', "artisan did not boot the application: {$why}");
    }
    return $app;
}

/** Run $fn; anything it throws is the database's (or the connection config's) answer. */
function db(callable $fn)
{
    try {
        return $fn();
    } catch (\Throwable $e) {
        throw new Failure('database', $e->getMessage(), $e);
    }
}

function connection_config($app, string $name): array
{
    $config = $app['config']->get("database.connections.{$name}");
    if (! is_array($config)) {
        throw new Failure('config', "config/database.php has no connection named \"{$name}\" (database.default).");
    }
    // The `url` key (DATABASE_URL / DB_URL) wins over the other keys, as DatabaseManager applies it.
    if (class_exists('Illuminate\\Support\\ConfigurationUrlParser')) {
        $config = (new \Illuminate\Support\ConfigurationUrlParser)->parseConfiguration($config);
    }
    return $config;
}

/** metamig passed a database through DB_*: make sure the configuration Laravel resolved is that one. */
function check_expectation($app, string $name, array $config): void
{
    $expect = json_decode((string) getenv('METAMIG_LARAVEL_EXPECT'), true);
    if (! is_array($expect)) {
        return;
    }
    $effective = array_intersect_key($config, array_flip(['driver', 'database', 'host', 'port', 'username']));
    $mismatch = [];
    foreach ($expect as $key => $want) {
        $got = $effective[$key] ?? null;
        if ((string) $got !== (string) $want) {
            $mismatch[] = "{$key}: expected ".json_encode($want).', Laravel resolved '.json_encode($got);
        }
    }
    if ($mismatch) {
        $why = $app->configurationIsCached()
            ? 'the configuration is cached (bootstrap/cache/config.php), so Laravel does not read the environment'
            : "config/database.php does not build connection \"{$name}\" from DB_CONNECTION / DB_HOST / DB_PORT / DB_DATABASE / DB_USERNAME / DB_PASSWORD";
        throw new Failure('config', "Laravel ignored the database metamig passed: {$why} (".implode('; ', $mismatch).').');
    }
}

function migrations_table($setting): string
{
    // A string up to Laravel 10; ['table' => …, 'update_date_on_publish' => …] from Laravel 11.
    if (is_array($setting)) {
        return (string) ($setting['table'] ?? 'migrations');
    }
    return is_string($setting) && $setting !== '' ? $setting : 'migrations';
}

/** The SQLite file a connection points at when it does not exist (Laravel 8 refuses to create it). */
function missing_sqlite($app, array $config): ?string
{
    if (($config['driver'] ?? null) !== 'sqlite') {
        return null;
    }
    $file = (string) ($config['database'] ?? '');
    if ($file === '' || $file === ':memory:' || strpos($file, 'mode=memory') !== false) {
        return null;
    }
    $path = $file[0] === '/' ? $file : $app->basePath($file);
    return file_exists($path) ? null : $file;
}

function relative($app, string $path): string
{
    $base = rtrim($app->basePath(), '/').'/';
    return strpos($path, $base) === 0 ? substr($path, strlen($base)) : $path;
}

/** The migration folders `migrate` uses: those packages registered, then database/migrations. */
function migration_paths($app, $migrator): array
{
    return array_merge($migrator->paths(), [$app->databasePath('migrations')]);
}

function status($app): array
{
    $migrator = $app->make('migrator');
    $name = (string) $app['config']->get('database.default');
    $config = connection_config($app, $name);
    check_expectation($app, $name, $config);
    $driver = (string) ($config['driver'] ?? '');
    $table = migrations_table($app['config']->get('database.migrations'));
    $missing = missing_sqlite($app, $config);

    $exists = false;
    $ran = [];
    $transactions = $driver === 'pgsql' || $driver === 'sqlsrv';
    if ($missing === null) {
        [$exists, $ran, $transactions] = db(function () use ($app, $migrator) {
            $connection = $app['db']->connection();
            $repository = $migrator->getRepository();
            $exists = $repository->repositoryExists();
            $rows = [];
            // Laravel's own order: batch, then migration name (getRan, getMigrationBatches, getMigrations).
            foreach ($exists ? $repository->getMigrationBatches() : [] as $migration => $batch) {
                $rows[] = ['migration' => (string) $migration, 'batch' => (int) $batch];
            }
            if ($connection->getSchemaGrammar() === null) {
                $connection->useDefaultSchemaGrammar();
            }
            return [$exists, $rows, (bool) $connection->getSchemaGrammar()->supportsSchemaTransactions()];
        });
    }

    $files = [];
    foreach ($migrator->getMigrationFiles(migration_paths($app, $migrator)) as $migration => $path) {
        $files[] = ['name' => (string) $migration, 'path' => relative($app, $path)] + inspect($path);
    }
    $dumps = [];
    foreach (['dump', 'sql'] as $ext) {
        if (is_file($dump = $app->databasePath("schema/{$name}-schema.{$ext}"))) {
            $dumps[] = relative($app, $dump);
        }
    }

    return [
        'connection' => [
            'name' => $name,
            'driver' => $driver,
            'database' => isset($config['database']) ? (string) $config['database'] : null,
            'host' => isset($config['host']) && is_scalar($config['host']) ? (string) $config['host'] : null,
        ],
        'missingSqliteFile' => $missing,
        'table' => $table,
        'repositoryExists' => $exists,
        'schemaTransactions' => $transactions,
        'configCached' => $app->configurationIsCached(),
        'paths' => array_map(function ($p) use ($app) { return relative($app, $p); }, migration_paths($app, $migrator)),
        'files' => $files,
        'ran' => $ran,
        'schemaDumps' => $dumps,
    ];
}

/**
 * `migrate --pretend` / `migrate:rollback --pretend`, run in this process through the console kernel
 * (the same command, the same output), inside a transaction that is rolled back: --pretend runs
 * migrate:install when the migrations table is missing, and this undoes it where DDL is transactional.
 */
function plan($app, array $request): array
{
    $command = (string) ($request['command'] ?? 'migrate');
    if ($command !== 'migrate' && $command !== 'migrate:rollback') {
        throw new Failure('helper', "unsupported plan command {$command}");
    }
    $options = is_array($request['options'] ?? null) ? $request['options'] : [];
    $options['--pretend'] = true;
    $options['--force'] = true;

    // artisan ran with -q, which Symfony passes on to nested commands through SHELL_VERBOSITY.
    putenv('SHELL_VERBOSITY=0');
    $_ENV['SHELL_VERBOSITY'] = $_SERVER['SHELL_VERBOSITY'] = 0;

    $name = (string) $app['config']->get('database.default');
    $config = connection_config($app, $name);
    check_expectation($app, $name, $config);
    $temporary = null;
    if (missing_sqlite($app, $config) !== null) {
        // Nothing exists yet: preview against an empty temporary database instead of creating the file.
        $temporary = tempnam(sys_get_temp_dir(), 'metamig-laravel-');
        $app['config']->set("database.connections.{$name}.database", $temporary);
        $app['config']->set("database.connections.{$name}.url", null);
        $app['db']->purge($name);
    }

    $queries = [];
    $app['events']->listen(\Illuminate\Database\Events\QueryExecuted::class, function ($event) use (&$queries) {
        if ($event->connection->pretending()) {
            $queries[] = ['sql' => $event->sql, 'bindings' => array_map(__NAMESPACE__.'\\binding', array_values($event->bindings))];
        }
    });

    try {
        return db(function () use ($app, $command, $options, &$queries, $temporary) {
            $connection = $app['db']->connection();
            $repository = $app->make('migrator')->getRepository();
            $before = $repository->repositoryExists();
            $output = new \Symfony\Component\Console\Output\BufferedOutput();
            $error = null;
            $exitCode = null;
            $connection->beginTransaction();
            try {
                $exitCode = $app->make(\Illuminate\Contracts\Console\Kernel::class)->call($command, $options, $output);
            } catch (\Throwable $e) {
                $error = describe($e);
            } finally {
                $connection->rollBack();
            }
            return [
                'command' => $command,
                'options' => $options,
                'driver' => $connection->getDriverName(),
                'table' => migrations_table($app['config']->get('database.migrations')),
                'exitCode' => $exitCode,
                'output' => $output->fetch(),
                'queries' => $queries,
                'tableBefore' => $before,
                'tableAfter' => $repository->repositoryExists(),
                'temporaryDatabase' => $temporary !== null,
                'commandError' => $error,
            ];
        });
    } finally {
        if ($temporary !== null) {
            @unlink($temporary);
        }
    }
}

/** A query binding as JSON can carry it. */
function binding($value)
{
    if ($value === null || is_bool($value) || is_int($value) || is_float($value)) {
        return $value;
    }
    if ($value instanceof \DateTimeInterface) {
        return $value->format('Y-m-d H:i:s');
    }
    if (is_string($value)) {
        return preg_match('//u', $value) ? $value : '(binary, '.strlen($value).' bytes)';
    }
    return is_object($value) && method_exists($value, '__toString') ? (string) $value : gettype($value);
}

// ---- static reading of one migration file (never executed here) ------------------------------

function significant(array $tokens, int $i, int $step = 1): int
{
    for (; $i >= 0 && $i < count($tokens); $i += $step) {
        $t = $tokens[$i];
        if (! is_array($t) || ! in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
            return $i;
        }
    }
    return -1;
}

/** What a migration file says about itself: its down() method, $withinTransaction, $connection. */
function inspect(string $path): array
{
    $source = @file_get_contents($path);
    if ($source === false) {
        return ['down' => 'unknown'];
    }
    $tokens = token_get_all($source);
    $info = ['down' => 'missing', 'withinTransaction' => true];
    $n = count($tokens);
    for ($i = 0; $i < $n; $i++) {
        $t = $tokens[$i];
        if (! is_array($t)) {
            continue;
        }
        if ($t[0] === T_FUNCTION) {
            $j = significant($tokens, $i + 1);
            if ($j > 0 && $tokens[$j] === '&') {
                $j = significant($tokens, $j + 1);
            }
            if ($j > 0 && is_array($tokens[$j]) && strtolower($tokens[$j][1]) === 'down') {
                $info = array_merge($info, down_body($tokens, $j));
            }
        } elseif ($t[0] === T_VARIABLE && ($t[1] === '$withinTransaction' || $t[1] === '$connection')) {
            $before = significant($tokens, $i - 1, -1);
            $isProperty = $before >= 0 && is_array($tokens[$before]) && in_array($tokens[$before][0], [T_PUBLIC, T_PROTECTED, T_PRIVATE, T_VAR, T_STRING, T_ARRAY], true);
            $eq = significant($tokens, $i + 1);
            $value = $eq > 0 && $tokens[$eq] === '=' ? significant($tokens, $eq + 1) : -1;
            if (! $isProperty || $value < 0 || ! is_array($tokens[$value])) {
                continue;
            }
            if ($t[1] === '$withinTransaction' && strtolower($tokens[$value][1]) === 'false') {
                $info['withinTransaction'] = false;
            }
            if ($t[1] === '$connection' && $tokens[$value][0] === T_CONSTANT_ENCAPSED_STRING) {
                $info['connection'] = stripcslashes(substr($tokens[$value][1], 1, -1));
            }
        }
    }
    return $info;
}

function down_body(array $tokens, int $nameAt): array
{
    $n = count($tokens);
    $k = $nameAt;
    while ($k < $n && $tokens[$k] !== '{' && $tokens[$k] !== ';') {
        $k++;
    }
    if ($k >= $n || $tokens[$k] === ';') {
        return ['down' => 'present'];
    }
    $depth = 0;
    $body = [];
    for ($m = $k; $m < $n; $m++) {
        $tok = $tokens[$m];
        if ($tok === '{' || (is_array($tok) && in_array($tok[0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true))) {
            $depth++;
        } elseif ($tok === '}') {
            if (--$depth === 0) {
                break;
            }
        }
        if ($m > $k && (! is_array($tok) || ! in_array($tok[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true))) {
            $body[] = $tok;
        }
    }
    if (! $body) {
        return ['down' => 'empty'];
    }
    $statements = count(array_filter($body, function ($x) { return $x === ';'; }));
    if (is_array($body[0]) && $body[0][0] === T_THROW && $statements === 1) {
        foreach ($body as $tok) {
            if (is_array($tok) && $tok[0] === T_CONSTANT_ENCAPSED_STRING) {
                return ['down' => 'throws', 'downMessage' => stripcslashes(substr($tok[1], 1, -1))];
            }
        }
        return ['down' => 'throws'];
    }
    return ['down' => 'present'];
}
