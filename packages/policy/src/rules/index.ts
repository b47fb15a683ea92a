// THE list of rules. The registry (ids, codes), the presets, the config keys, the docs index and the
// SARIF rule table are all derived from this array; a test checks that every file in this folder is
// listed here and that every rule has its test file and docs page. Ordered by family, then code:
// PG1xx locking · PG2xx rewrites and validation · PG3xx measured in a sandbox · TX1xx transactions
// and timeouts · DS1xx destructive · BC1xx backward compatibility · DF1xx data-dependent failures ·
// RV1xx reversibility · HY1xx schema hygiene (opt-in/strict) · MM0xx meta (parsing, waivers).
import type { Rule } from '../types.js';
import createIndexNonConcurrent from './create-index-non-concurrent.js';
import dropIndexNonConcurrent from './drop-index-non-concurrent.js';
import reindexNonConcurrent from './reindex-non-concurrent.js';
import detachPartitionNonConcurrent from './detach-partition-non-concurrent.js';
import vacuumFullOrCluster from './vacuum-full-or-cluster.js';
import addUniqueConstraintBlocking from './add-unique-constraint-blocking.js';
import addPrimaryKeyBlocking from './add-primary-key-blocking.js';
import addExclusionConstraint from './add-exclusion-constraint.js';
import createTriggerLock from './create-trigger-lock.js';
import workAfterExclusiveLock from './work-after-exclusive-lock.js';
import multipleAlterSameTable from './multiple-alter-same-table.js';
import refreshMaterializedViewBlocking from './refresh-materialized-view-blocking.js';
import concurrentIndexPg14Corruption from './concurrent-index-pg14-corruption.js';
import addColumnVolatileDefault from './add-column-volatile-default.js';
import addColumnGeneratedStored from './add-column-generated-stored.js';
import addColumnAutoIncrement from './add-column-auto-increment.js';
import changeColumnTypeRewrite from './change-column-type-rewrite.js';
import alterTableRewriteOther from './alter-table-rewrite-other.js';
import setNotNullFullScan from './set-not-null-full-scan.js';
import addCheckConstraintValidating from './add-check-constraint-validating.js';
import addForeignKeyValidating from './add-foreign-key-validating.js';
import validateInSameTransaction from './validate-in-same-transaction.js';
import domainConstraint from './domain-constraint.js';
import observedLongLock from './observed-long-lock.js';
import observedRewrite from './observed-rewrite.js';
import missingLockTimeout from './missing-lock-timeout.js';
import missingStatementTimeout from './missing-statement-timeout.js';
import transactionNesting from './transaction-nesting.js';
import uncommittedTransaction from './uncommitted-transaction.js';
import concurrentlyInTransaction from './concurrently-in-transaction.js';
import cannotRunInTransaction from './cannot-run-in-transaction.js';
import enumAddValueInTransaction from './enum-add-value-in-transaction.js';
import unbatchedDml from './unbatched-dml.js';
import dmlMixedWithDdl from './dml-mixed-with-ddl.js';
import nonIdempotentDdlOutsideTransaction from './non-idempotent-ddl-outside-transaction.js';
import dropColumn from './drop-column.js';
import dropTable from './drop-table.js';
import dropSchemaOrDatabase from './drop-schema-or-database.js';
import truncateTable from './truncate-table.js';
import truncateCascade from './truncate-cascade.js';
import dropConstraint from './drop-constraint.js';
import primaryKeyChange from './primary-key-change.js';
import renameColumn from './rename-column.js';
import renameTable from './rename-table.js';
import renameOrMoveObject from './rename-or-move-object.js';
import addColumnNotNullNoDefault from './add-column-not-null-no-default.js';
import dropNotNull from './drop-not-null.js';
import enumValueRename from './enum-value-rename.js';
import enumValueOrdering from './enum-value-ordering.js';
import typeChangeNarrowing from './type-change-narrowing.js';
import uniqueOnExistingData from './unique-on-existing-data.js';
import notNullOnExistingData from './not-null-on-existing-data.js';
import irreversibleMigration from './irreversible-migration.js';
import uninspectedSql from './uninspected-sql.js';
import preferBigint from './prefer-bigint.js';
import preferIdentity from './prefer-identity.js';
import preferTextOverVarchar from './prefer-text-over-varchar.js';
import preferTimestamptz from './prefer-timestamptz.js';
import banCharType from './ban-char-type.js';
import preferJsonb from './prefer-jsonb.js';
import preferLookupTableOverEnum from './prefer-lookup-table-over-enum.js';
import identifierTooLong from './identifier-too-long.js';
import unqualifiedObjectName from './unqualified-object-name.js';
import namingConvention from './naming-convention.js';
import wideNonUniqueIndex from './wide-non-unique-index.js';
import fkWithoutIndex from './fk-without-index.js';
import duplicateColumnAssignment from './duplicate-column-assignment.js';
import privilegeChanges from './privilege-changes.js';
import syntaxError from './syntax-error.js';
import invalidWaiver from './invalid-waiver.js';
import unusedWaiver from './unused-waiver.js';
import expiredWaiver from './expired-waiver.js';

export const RULES: readonly Rule[] = [
  createIndexNonConcurrent,
  dropIndexNonConcurrent,
  reindexNonConcurrent,
  detachPartitionNonConcurrent,
  vacuumFullOrCluster,
  addUniqueConstraintBlocking,
  addPrimaryKeyBlocking,
  addExclusionConstraint,
  createTriggerLock,
  workAfterExclusiveLock,
  multipleAlterSameTable,
  refreshMaterializedViewBlocking,
  concurrentIndexPg14Corruption,
  addColumnVolatileDefault,
  addColumnGeneratedStored,
  addColumnAutoIncrement,
  changeColumnTypeRewrite,
  alterTableRewriteOther,
  setNotNullFullScan,
  addCheckConstraintValidating,
  addForeignKeyValidating,
  validateInSameTransaction,
  domainConstraint,
  observedLongLock,
  observedRewrite,
  missingLockTimeout,
  missingStatementTimeout,
  transactionNesting,
  uncommittedTransaction,
  concurrentlyInTransaction,
  cannotRunInTransaction,
  enumAddValueInTransaction,
  unbatchedDml,
  dmlMixedWithDdl,
  nonIdempotentDdlOutsideTransaction,
  dropColumn,
  dropTable,
  dropSchemaOrDatabase,
  truncateTable,
  truncateCascade,
  dropConstraint,
  primaryKeyChange,
  renameColumn,
  renameTable,
  renameOrMoveObject,
  addColumnNotNullNoDefault,
  dropNotNull,
  enumValueRename,
  enumValueOrdering,
  typeChangeNarrowing,
  uniqueOnExistingData,
  notNullOnExistingData,
  irreversibleMigration,
  uninspectedSql,
  preferBigint,
  preferIdentity,
  preferTextOverVarchar,
  preferTimestamptz,
  banCharType,
  preferJsonb,
  preferLookupTableOverEnum,
  identifierTooLong,
  unqualifiedObjectName,
  namingConvention,
  wideNonUniqueIndex,
  fkWithoutIndex,
  duplicateColumnAssignment,
  privilegeChanges,
  syntaxError,
  invalidWaiver,
  unusedWaiver,
  expiredWaiver,
] as readonly Rule[];
