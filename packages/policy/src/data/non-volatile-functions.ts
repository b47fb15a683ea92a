// GENERATED — do not edit by hand. Names of the functions in pg_catalog whose every overload is
// IMMUTABLE or STABLE (never VOLATILE), from PostgreSQL 18.4, by:
//
//   SELECT proname FROM pg_proc
//   WHERE prokind = 'f' AND pronamespace = 'pg_catalog'::regnamespace AND NOT proretset
//     AND prorettype NOT IN ('internal', 'trigger', 'event_trigger', 'language_handler', 'fdw_handler',
//                            'index_am_handler', 'table_am_handler', 'tsm_handler')  -- as ::regtype
//     AND oid NOT IN (the type I/O, typmod, analyze and subscript functions of pg_type)
//     AND proname !~ '^(binary_upgrade|pg_stat_|pg_catalog)'
//   GROUP BY proname HAVING bool_and(provolatile <> 'v') ORDER BY 1;
//
// A DEFAULT that calls only these (with constant arguments) is evaluated once by ALTER TABLE … ADD
// COLUMN on PostgreSQL 11+, so no table rewrite. Anything else (user functions, extension functions
// such as uuid_generate_v4, and VOLATILE built-ins such as random, gen_random_uuid, clock_timestamp,
// nextval, timeofday) is treated as volatile: a function metamig cannot see may be declared
// VOLATILE, so it assumes the rewrite (the conservative reading; waive it when you know better).
export const NON_VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set(
  `
  abbrev abs aclcontains acldefault aclinsert aclitemeq aclremove acos acosd acosh age
  any_value_transfn anytextcat area areajoinsel areasel array_agg_array_finalfn
  array_agg_array_serialize array_agg_finalfn array_agg_serialize array_append array_cat array_dims
  array_eq array_fill array_ge array_gt array_larger array_le array_length array_lower array_lt
  array_ndims array_ne array_position array_positions array_prepend array_remove array_replace
  array_reverse array_smaller array_sort array_to_json array_to_string array_to_tsvector array_upper
  arraycontained arraycontains arraycontjoinsel arraycontsel arrayoverlap ascii asin asind asinh atan
  atan2 atan2d atand atanh big5_to_euc_tw big5_to_mic big5_to_utf8 bit bit_count bit_length bitand
  bitcat bitcmp biteq bitge bitgt bitle bitlt bitne bitnot bitor bitshiftleft bitshiftright bitxor
  bool bool_alltrue bool_anytrue booland_statefunc booleq boolge boolgt boolle boollt boolne
  boolor_statefunc bound_box box box_above box_above_eq box_add box_below box_below_eq box_center
  box_contain box_contain_pt box_contained box_distance box_div box_eq box_ge box_gt box_intersect
  box_le box_left box_lt box_mul box_overabove box_overbelow box_overlap box_overleft box_overright
  box_right box_same box_sub bpchar bpchar_larger bpchar_pattern_ge bpchar_pattern_gt
  bpchar_pattern_le bpchar_pattern_lt bpchar_smaller bpchar_sortsupport bpcharcmp bpchareq bpcharge
  bpchargt bpchariclike bpcharicnlike bpcharicregexeq bpcharicregexne bpcharle bpcharlike bpcharlt
  bpcharne bpcharnlike bpcharregexeq bpcharregexne brin_bloom_add_value brin_bloom_consistent
  brin_bloom_options brin_bloom_union brin_inclusion_add_value brin_inclusion_consistent
  brin_inclusion_union brin_minmax_add_value brin_minmax_consistent brin_minmax_multi_add_value
  brin_minmax_multi_consistent brin_minmax_multi_distance_date brin_minmax_multi_distance_float4
  brin_minmax_multi_distance_float8 brin_minmax_multi_distance_inet brin_minmax_multi_distance_int2
  brin_minmax_multi_distance_int4 brin_minmax_multi_distance_int8 brin_minmax_multi_distance_interval
  brin_minmax_multi_distance_macaddr brin_minmax_multi_distance_macaddr8
  brin_minmax_multi_distance_numeric brin_minmax_multi_distance_pg_lsn brin_minmax_multi_distance_tid
  brin_minmax_multi_distance_time brin_minmax_multi_distance_timestamp
  brin_minmax_multi_distance_timetz brin_minmax_multi_distance_uuid brin_minmax_multi_options
  brin_minmax_multi_union brin_minmax_union broadcast btarraycmp btboolcmp btboolskipsupport
  btbpchar_pattern_cmp btbpchar_pattern_sortsupport btcharcmp btcharskipsupport btequalimage
  btfloat48cmp btfloat4cmp btfloat4sortsupport btfloat84cmp btfloat8cmp btfloat8sortsupport
  btint24cmp btint28cmp btint2cmp btint2skipsupport btint2sortsupport btint42cmp btint48cmp btint4cmp
  btint4skipsupport btint4sortsupport btint82cmp btint84cmp btint8cmp btint8skipsupport
  btint8sortsupport btnamecmp btnamesortsupport btnametextcmp btoidcmp btoidskipsupport
  btoidsortsupport btoidvectorcmp btrecordcmp btrecordimagecmp btrim bttext_pattern_cmp
  bttext_pattern_sortsupport bttextcmp bttextnamecmp bttextsortsupport bttidcmp btvarstrequalimage
  bytea bytea_larger bytea_smaller bytea_sortsupport bytea_string_agg_finalfn byteacat byteacmp
  byteaeq byteage byteagt byteale bytealike bytealt byteane byteanlike cardinality casefold cash_cmp
  cash_div_cash cash_div_flt4 cash_div_flt8 cash_div_int2 cash_div_int4 cash_div_int8 cash_eq cash_ge
  cash_gt cash_le cash_lt cash_mi cash_mul_flt4 cash_mul_flt8 cash_mul_int2 cash_mul_int4
  cash_mul_int8 cash_ne cash_pl cash_words cashlarger cashsmaller cbrt ceil ceiling center char
  char_length character_length chareq charge chargt charle charlt charne chr cideq cidr circle
  circle_above circle_add_pt circle_below circle_center circle_contain circle_contain_pt
  circle_contained circle_distance circle_div_pt circle_eq circle_ge circle_gt circle_le circle_left
  circle_lt circle_mul_pt circle_ne circle_overabove circle_overbelow circle_overlap circle_overleft
  circle_overright circle_right circle_same circle_sub_pt close_ls close_lseg close_pb close_pl
  close_ps close_sb col_description concat concat_ws contjoinsel contsel convert convert_from
  convert_to cos cosd cosh cot cotd crc32 crc32c cume_dist_final current_database current_schema
  current_schemas current_setting current_user database_to_xml database_to_xml_and_xmlschema
  database_to_xmlschema date date_add date_bin date_cmp date_cmp_timestamp date_cmp_timestamptz
  date_eq date_eq_timestamp date_eq_timestamptz date_ge date_ge_timestamp date_ge_timestamptz date_gt
  date_gt_timestamp date_gt_timestamptz date_larger date_le date_le_timestamp date_le_timestamptz
  date_lt date_lt_timestamp date_lt_timestamptz date_mi date_mi_interval date_mii date_ne
  date_ne_timestamp date_ne_timestamptz date_part date_pl_interval date_pli date_skipsupport
  date_smaller date_sortsupport date_subtract date_trunc datemultirange daterange daterange_canonical
  daterange_subdiff datetime_pl datetimetz_pl dcbrt decode degrees dense_rank_final dexp diagonal
  diameter dist_bp dist_bs dist_cpoint dist_cpoly dist_lp dist_ls dist_pathp dist_pb dist_pc dist_pl
  dist_polyc dist_polyp dist_ppath dist_ppoly dist_ps dist_sb dist_sl dist_sp div dlog1 dlog10 dpow
  dround dsqrt dtrunc elem_contained_by_multirange elem_contained_by_range encode enum_cmp enum_eq
  enum_first enum_ge enum_gt enum_in enum_larger enum_last enum_le enum_lt enum_ne enum_out
  enum_range enum_recv enum_send enum_smaller eqjoinsel eqsel erf erfc euc_cn_to_mic euc_cn_to_utf8
  euc_jis_2004_to_shift_jis_2004 euc_jis_2004_to_utf8 euc_jp_to_mic euc_jp_to_sjis euc_jp_to_utf8
  euc_kr_to_mic euc_kr_to_utf8 euc_tw_to_big5 euc_tw_to_mic euc_tw_to_utf8 exp extract factorial
  family float4 float48div float48eq float48ge float48gt float48le float48lt float48mi float48mul
  float48ne float48pl float4_accum float4abs float4div float4eq float4ge float4gt float4larger
  float4le float4lt float4mi float4mul float4ne float4pl float4smaller float4um float4up float8
  float84div float84eq float84ge float84gt float84le float84lt float84mi float84mul float84ne
  float84pl float8_accum float8_avg float8_combine float8_corr float8_covar_pop float8_covar_samp
  float8_regr_accum float8_regr_avgx float8_regr_avgy float8_regr_combine float8_regr_intercept
  float8_regr_r2 float8_regr_slope float8_regr_sxx float8_regr_sxy float8_regr_syy float8_stddev_pop
  float8_stddev_samp float8_var_pop float8_var_samp float8abs float8div float8eq float8ge float8gt
  float8larger float8le float8lt float8mi float8mul float8ne float8pl float8smaller float8um float8up
  floor flt4_mul_cash flt8_mul_cash fmgr_c_validator fmgr_internal_validator fmgr_sql_validator
  format format_type gamma gb18030_to_utf8 gbk_to_utf8 gcd get_bit get_byte get_current_ts_config
  getdatabaseencoding getpgusername gin_cmp_prefix gin_cmp_tslexeme gin_compare_jsonb
  gin_consistent_jsonb gin_consistent_jsonb_path gin_triconsistent_jsonb gin_triconsistent_jsonb_path
  gin_tsquery_consistent gin_tsquery_triconsistent ginarrayconsistent ginarraytriconsistent
  gist_box_consistent gist_box_distance gist_box_union gist_circle_consistent gist_circle_distance
  gist_point_consistent gist_point_distance gist_point_sortsupport gist_poly_consistent
  gist_poly_distance gist_translate_cmptype_common gtsquery_consistent gtsquery_union
  gtsvector_consistent gtsvector_options gtsvector_union has_any_column_privilege
  has_column_privilege has_database_privilege has_foreign_data_wrapper_privilege
  has_function_privilege has_language_privilege has_largeobject_privilege has_parameter_privilege
  has_schema_privilege has_sequence_privilege has_server_privilege has_table_privilege
  has_tablespace_privilege has_type_privilege hash_aclitem hash_aclitem_extended hash_array
  hash_array_extended hash_multirange hash_multirange_extended hash_numeric hash_numeric_extended
  hash_range hash_range_extended hash_record hash_record_extended hashbool hashboolextended
  hashbpchar hashbpcharextended hashbytea hashbyteaextended hashchar hashcharextended hashcid
  hashcidextended hashdate hashdateextended hashenum hashenumextended hashfloat4 hashfloat4extended
  hashfloat8 hashfloat8extended hashinet hashinetextended hashint2 hashint2extended hashint4
  hashint4extended hashint8 hashint8extended hashmacaddr hashmacaddr8 hashmacaddr8extended
  hashmacaddrextended hashname hashnameextended hashoid hashoidextended hashoidvector
  hashoidvectorextended hashtext hashtextextended hashtid hashtidextended hashvarlena
  hashvarlenaextended hashxid hashxid8 hashxid8extended hashxidextended height host hostmask
  iclikejoinsel iclikesel icnlikejoinsel icnlikesel icregexeqjoinsel icregexeqsel icregexnejoinsel
  icregexnesel icu_unicode_version in_range inet_client_addr inet_client_port inet_gist_consistent
  inet_gist_union inet_merge inet_same_family inet_server_addr inet_server_port inet_spg_choose
  inet_spg_config inet_spg_inner_consistent inet_spg_leaf_consistent inet_spg_picksplit inetand
  inetmi inetmi_int8 inetnot inetor inetpl initcap int2 int24div int24eq int24ge int24gt int24le
  int24lt int24mi int24mul int24ne int24pl int28div int28eq int28ge int28gt int28le int28lt int28mi
  int28mul int28ne int28pl int2_avg_accum int2_avg_accum_inv int2_mul_cash int2_sum int2abs int2and
  int2div int2eq int2ge int2gt int2int4_sum int2larger int2le int2lt int2mi int2mod int2mul int2ne
  int2not int2or int2pl int2shl int2shr int2smaller int2um int2up int2xor int4 int42div int42eq
  int42ge int42gt int42le int42lt int42mi int42mul int42ne int42pl int48div int48eq int48ge int48gt
  int48le int48lt int48mi int48mul int48ne int48pl int4_avg_accum int4_avg_accum_inv int4_avg_combine
  int4_mul_cash int4_sum int4abs int4and int4div int4eq int4ge int4gt int4inc int4larger int4le
  int4lt int4mi int4mod int4mul int4multirange int4ne int4not int4or int4pl int4range
  int4range_canonical int4range_subdiff int4shl int4shr int4smaller int4um int4up int4xor int8
  int82div int82eq int82ge int82gt int82le int82lt int82mi int82mul int82ne int82pl int84div int84eq
  int84ge int84gt int84le int84lt int84mi int84mul int84ne int84pl int8_avg int8_avg_serialize
  int8_mul_cash int8_sum int8abs int8and int8dec int8dec_any int8div int8eq int8ge int8gt int8inc
  int8inc_any int8inc_float8_float8 int8larger int8le int8lt int8mi int8mod int8mul int8multirange
  int8ne int8not int8or int8pl int8pl_inet int8range int8range_canonical int8range_subdiff int8shl
  int8shr int8smaller int8um int8up int8xor integer_pl_date inter_lb inter_sb inter_sl interval
  interval_avg interval_avg_serialize interval_cmp interval_div interval_eq interval_ge interval_gt
  interval_hash interval_hash_extended interval_larger interval_le interval_lt interval_mi
  interval_mul interval_ne interval_pl interval_pl_date interval_pl_time interval_pl_timestamp
  interval_pl_timestamptz interval_pl_timetz interval_smaller interval_sum interval_um is_normalized
  isclosed isempty isfinite ishorizontal iso8859_1_to_utf8 iso8859_to_utf8 iso_to_koi8r iso_to_mic
  iso_to_win1251 iso_to_win866 isopen isparallel isperp isvertical johab_to_utf8 json_agg_finalfn
  json_array_element json_array_element_text json_array_length json_build_array json_build_object
  json_extract_path json_extract_path_text json_object json_object_agg_finalfn json_object_field
  json_object_field_text json_populate_record json_strip_nulls json_to_record json_to_tsvector
  json_typeof jsonb_agg_finalfn jsonb_array_element jsonb_array_element_text jsonb_array_length
  jsonb_build_array jsonb_build_object jsonb_cmp jsonb_concat jsonb_contained jsonb_contains
  jsonb_delete jsonb_delete_path jsonb_eq jsonb_exists jsonb_exists_all jsonb_exists_any
  jsonb_extract_path jsonb_extract_path_text jsonb_ge jsonb_gt jsonb_hash jsonb_hash_extended
  jsonb_insert jsonb_le jsonb_lt jsonb_ne jsonb_object jsonb_object_agg_finalfn jsonb_object_field
  jsonb_object_field_text jsonb_path_exists jsonb_path_exists_opr jsonb_path_exists_tz
  jsonb_path_match jsonb_path_match_opr jsonb_path_match_tz jsonb_path_query_array
  jsonb_path_query_array_tz jsonb_path_query_first jsonb_path_query_first_tz jsonb_populate_record
  jsonb_populate_record_valid jsonb_pretty jsonb_set jsonb_set_lax jsonb_strip_nulls jsonb_to_record
  jsonb_to_tsvector jsonb_typeof justify_days justify_hours justify_interval koi8r_to_iso
  koi8r_to_mic koi8r_to_utf8 koi8r_to_win1251 koi8r_to_win866 koi8u_to_utf8 latin1_to_mic
  latin2_to_mic latin2_to_win1250 latin3_to_mic latin4_to_mic lcm left length lgamma like like_escape
  likejoinsel likesel line line_distance line_eq line_horizontal line_interpt line_intersect
  line_parallel line_perp line_vertical ln log log10 lower lower_inc lower_inf lpad lseg lseg_center
  lseg_distance lseg_eq lseg_ge lseg_gt lseg_horizontal lseg_interpt lseg_intersect lseg_le
  lseg_length lseg_lt lseg_ne lseg_parallel lseg_perp lseg_vertical ltrim macaddr macaddr8
  macaddr8_and macaddr8_cmp macaddr8_eq macaddr8_ge macaddr8_gt macaddr8_le macaddr8_lt macaddr8_ne
  macaddr8_not macaddr8_or macaddr8_set7bit macaddr_and macaddr_cmp macaddr_eq macaddr_ge macaddr_gt
  macaddr_le macaddr_lt macaddr_ne macaddr_not macaddr_or macaddr_sortsupport make_date make_interval
  make_time make_timestamp make_timestamptz makeaclitem masklen matchingjoinsel matchingsel md5
  mic_to_big5 mic_to_euc_cn mic_to_euc_jp mic_to_euc_kr mic_to_euc_tw mic_to_iso mic_to_koi8r
  mic_to_latin1 mic_to_latin2 mic_to_latin3 mic_to_latin4 mic_to_sjis mic_to_win1250 mic_to_win1251
  mic_to_win866 min_scale mod mode_final money mul_d_interval multirange
  multirange_adjacent_multirange multirange_adjacent_range multirange_after_multirange
  multirange_after_range multirange_agg_finalfn multirange_before_multirange multirange_before_range
  multirange_cmp multirange_contained_by_multirange multirange_contained_by_range
  multirange_contains_elem multirange_contains_multirange multirange_contains_range multirange_eq
  multirange_ge multirange_gist_consistent multirange_gt multirange_intersect
  multirange_intersect_agg_transfn multirange_le multirange_lt multirange_minus multirange_ne
  multirange_overlaps_multirange multirange_overlaps_range multirange_overleft_multirange
  multirange_overleft_range multirange_overright_multirange multirange_overright_range
  multirange_union multirangesel mxid_age name nameconcatoid nameeq nameeqtext namege namegetext
  namegt namegttext nameiclike nameicnlike nameicregexeq nameicregexne namele nameletext namelike
  namelt namelttext namene namenetext namenlike nameregexeq nameregexne neqjoinsel neqsel netmask
  network network_cmp network_eq network_ge network_gt network_larger network_le network_lt
  network_ne network_overlap network_smaller network_sortsupport network_sub network_subeq
  network_sup network_supeq networkjoinsel networksel nlikejoinsel nlikesel normalize notlike now
  npoints num_nonnulls num_nulls numeric numeric_abs numeric_add numeric_avg numeric_avg_serialize
  numeric_cmp numeric_div numeric_div_trunc numeric_eq numeric_exp numeric_ge numeric_gt numeric_inc
  numeric_larger numeric_le numeric_ln numeric_log numeric_lt numeric_mod numeric_mul numeric_ne
  numeric_pl_pg_lsn numeric_poly_avg numeric_poly_serialize numeric_poly_stddev_pop
  numeric_poly_stddev_samp numeric_poly_sum numeric_poly_var_pop numeric_poly_var_samp numeric_power
  numeric_serialize numeric_smaller numeric_sortsupport numeric_sqrt numeric_stddev_pop
  numeric_stddev_samp numeric_sub numeric_sum numeric_uminus numeric_uplus numeric_var_pop
  numeric_var_samp nummultirange numnode numrange numrange_subdiff obj_description octet_length oid
  oideq oidge oidgt oidlarger oidle oidlt oidne oidsmaller oidvectoreq oidvectorge oidvectorgt
  oidvectorle oidvectorlt oidvectorne oidvectortypes on_pb on_pl on_ppath on_ps on_sb on_sl overlaps
  overlay parse_ident path path_add path_add_pt path_contain_pt path_distance path_div_pt path_inter
  path_length path_mul_pt path_n_eq path_n_ge path_n_gt path_n_le path_n_lt path_npoints path_sub_pt
  pclose percent_rank_final percentile_cont_float8_final percentile_cont_float8_multi_final
  percentile_cont_interval_final percentile_cont_interval_multi_final percentile_disc_final
  percentile_disc_multi_final pg_backend_pid pg_basetype pg_char_to_encoding pg_client_encoding
  pg_collation_for pg_collation_is_visible pg_column_compression pg_column_is_updatable
  pg_column_size pg_column_toast_chunk_id pg_conf_load_time pg_conversion_is_visible
  pg_current_snapshot pg_current_xact_id pg_current_xact_id_if_assigned pg_describe_object
  pg_encoding_max_length pg_encoding_to_char pg_event_trigger_table_rewrite_oid
  pg_event_trigger_table_rewrite_reason pg_filenode_relation pg_function_is_visible pg_get_acl
  pg_get_constraintdef pg_get_expr pg_get_function_arg_default pg_get_function_arguments
  pg_get_function_identity_arguments pg_get_function_result pg_get_function_sqlbody
  pg_get_functiondef pg_get_indexdef pg_get_object_address pg_get_partition_constraintdef
  pg_get_partkeydef pg_get_replica_identity_index pg_get_ruledef pg_get_serial_sequence
  pg_get_statisticsobjdef pg_get_statisticsobjdef_columns pg_get_statisticsobjdef_expressions
  pg_get_triggerdef pg_get_userbyid pg_get_viewdef pg_has_role pg_identify_object
  pg_identify_object_as_address pg_index_column_has_property pg_index_has_property
  pg_indexam_has_property pg_indexam_progress_phasename pg_input_error_info pg_input_is_valid
  pg_is_other_temp_schema pg_lsn pg_lsn_cmp pg_lsn_eq pg_lsn_ge pg_lsn_gt pg_lsn_hash
  pg_lsn_hash_extended pg_lsn_larger pg_lsn_le pg_lsn_lt pg_lsn_mi pg_lsn_mii pg_lsn_ne pg_lsn_pli
  pg_lsn_smaller pg_my_temp_schema pg_numa_available pg_opclass_is_visible pg_operator_is_visible
  pg_opfamily_is_visible pg_partition_root pg_postmaster_start_time pg_relation_filenode
  pg_relation_filepath pg_relation_is_publishable pg_relation_is_updatable pg_replication_origin_oid
  pg_sequence_parameters pg_settings_get_flags pg_size_bytes pg_size_pretty pg_snapshot_xmax
  pg_snapshot_xmin pg_split_walfile_name pg_statistics_obj_is_visible pg_table_is_visible
  pg_tablespace_location pg_trigger_depth pg_ts_config_is_visible pg_ts_dict_is_visible
  pg_ts_parser_is_visible pg_ts_template_is_visible pg_type_is_visible pg_typeof
  pg_visible_in_snapshot pg_wal_lsn_diff pg_walfile_name pg_walfile_name_offset phraseto_tsquery pi
  plainto_tsquery point point_above point_add point_below point_distance point_div point_eq
  point_horiz point_left point_mul point_ne point_right point_sub point_vert poly_above poly_below
  poly_center poly_contain poly_contain_pt poly_contained poly_distance poly_left poly_npoints
  poly_overabove poly_overbelow poly_overlap poly_overleft poly_overright poly_right poly_same
  polygon popen position positionjoinsel positionsel postgresql_fdw_validator pow power prefixjoinsel
  prefixsel prsd_end pt_contained_circle pt_contained_poly querytree quote_ident quote_literal
  quote_nullable radians radius range_adjacent range_adjacent_multirange range_after
  range_after_multirange range_agg_finalfn range_before range_before_multirange range_cmp
  range_contained_by range_contained_by_multirange range_contains range_contains_elem
  range_contains_multirange range_eq range_ge range_gist_consistent range_gist_union range_gt
  range_intersect range_intersect_agg_transfn range_le range_lt range_merge range_minus range_ne
  range_overlaps range_overlaps_multirange range_overleft range_overleft_multirange range_overright
  range_overright_multirange range_sortsupport range_union rangesel rank_final record_eq record_ge
  record_gt record_image_eq record_image_ge record_image_gt record_image_le record_image_lt
  record_image_ne record_larger record_le record_lt record_ne record_smaller regclass regexeqjoinsel
  regexeqsel regexnejoinsel regexnesel regexp_count regexp_instr regexp_like regexp_match
  regexp_replace regexp_split_to_array regexp_substr repeat replace reverse right round
  row_security_active row_to_json rpad rtrim satisfies_hash_partition scalargejoinsel scalargesel
  scalargtjoinsel scalargtsel scalarlejoinsel scalarlesel scalarltjoinsel scalarltsel scale
  schema_to_xml schema_to_xml_and_xmlschema schema_to_xmlschema session_user set_bit set_byte
  set_masklen setweight sha224 sha256 sha384 sha512 shell_in shell_out shift_jis_2004_to_euc_jis_2004
  shift_jis_2004_to_utf8 shobj_description sign similar_escape similar_to_escape sin sind sinh
  sjis_to_euc_jp sjis_to_mic sjis_to_utf8 slope spg_bbox_quad_config spg_box_quad_choose
  spg_box_quad_config spg_box_quad_inner_consistent spg_box_quad_leaf_consistent
  spg_box_quad_picksplit spg_kd_choose spg_kd_config spg_kd_inner_consistent spg_kd_picksplit
  spg_poly_quad_compress spg_quad_choose spg_quad_config spg_quad_inner_consistent
  spg_quad_leaf_consistent spg_quad_picksplit spg_range_quad_choose spg_range_quad_config
  spg_range_quad_inner_consistent spg_range_quad_leaf_consistent spg_range_quad_picksplit
  spg_text_choose spg_text_config spg_text_inner_consistent spg_text_leaf_consistent
  spg_text_picksplit split_part sqrt starts_with statement_timestamp string_agg_finalfn
  string_agg_serialize string_to_array strip strpos substr substring system_user table_to_xml
  table_to_xml_and_xmlschema table_to_xmlschema tan tand tanh text text_ge text_gt text_larger
  text_le text_lt text_pattern_ge text_pattern_gt text_pattern_le text_pattern_lt text_smaller
  textanycat textcat texteq texteqname textgename textgtname texticlike texticnlike texticregexeq
  texticregexne textlen textlename textlike textltname textne textnename textnlike textregexeq
  textregexne tideq tidge tidgt tidlarger tidle tidlt tidne tidsmaller time time_cmp time_eq time_ge
  time_gt time_hash time_hash_extended time_larger time_le time_lt time_mi_interval time_mi_time
  time_ne time_pl_interval time_smaller timedate_pl timestamp timestamp_cmp timestamp_cmp_date
  timestamp_cmp_timestamptz timestamp_eq timestamp_eq_date timestamp_eq_timestamptz timestamp_ge
  timestamp_ge_date timestamp_ge_timestamptz timestamp_gt timestamp_gt_date timestamp_gt_timestamptz
  timestamp_hash timestamp_hash_extended timestamp_larger timestamp_le timestamp_le_date
  timestamp_le_timestamptz timestamp_lt timestamp_lt_date timestamp_lt_timestamptz timestamp_mi
  timestamp_mi_interval timestamp_ne timestamp_ne_date timestamp_ne_timestamptz timestamp_pl_interval
  timestamp_skipsupport timestamp_smaller timestamp_sortsupport timestamptz timestamptz_cmp
  timestamptz_cmp_date timestamptz_cmp_timestamp timestamptz_eq timestamptz_eq_date
  timestamptz_eq_timestamp timestamptz_ge timestamptz_ge_date timestamptz_ge_timestamp timestamptz_gt
  timestamptz_gt_date timestamptz_gt_timestamp timestamptz_hash timestamptz_hash_extended
  timestamptz_larger timestamptz_le timestamptz_le_date timestamptz_le_timestamp timestamptz_lt
  timestamptz_lt_date timestamptz_lt_timestamp timestamptz_mi timestamptz_mi_interval timestamptz_ne
  timestamptz_ne_date timestamptz_ne_timestamp timestamptz_pl_interval timestamptz_smaller timetz
  timetz_cmp timetz_eq timetz_ge timetz_gt timetz_hash timetz_hash_extended timetz_larger timetz_le
  timetz_lt timetz_mi_interval timetz_ne timetz_pl_interval timetz_smaller timetzdate_pl timezone
  to_ascii to_bin to_char to_date to_hex to_json to_jsonb to_number to_oct to_regclass
  to_regcollation to_regnamespace to_regoper to_regoperator to_regproc to_regprocedure to_regrole
  to_regtype to_regtypemod to_timestamp to_tsquery to_tsvector transaction_timestamp translate
  trim_array trim_scale trunc ts_delete ts_filter ts_headline ts_lexize ts_match_qv ts_match_tq
  ts_match_tt ts_match_vq ts_rank ts_rank_cd tsmatchjoinsel tsmatchsel tsmultirange tsq_mcontained
  tsq_mcontains tsquery_and tsquery_cmp tsquery_eq tsquery_ge tsquery_gt tsquery_le tsquery_lt
  tsquery_ne tsquery_not tsquery_or tsquery_phrase tsrange tsrange_subdiff tstzmultirange tstzrange
  tstzrange_subdiff tsvector_cmp tsvector_concat tsvector_eq tsvector_ge tsvector_gt tsvector_le
  tsvector_lt tsvector_ne tsvector_to_array txid_current txid_current_if_assigned
  txid_current_snapshot txid_snapshot_xmax txid_snapshot_xmin txid_visible_in_snapshot uhc_to_utf8
  unicode_assigned unicode_version unistr upper upper_inc upper_inf utf8_to_big5 utf8_to_euc_cn
  utf8_to_euc_jis_2004 utf8_to_euc_jp utf8_to_euc_kr utf8_to_euc_tw utf8_to_gb18030 utf8_to_gbk
  utf8_to_iso8859 utf8_to_iso8859_1 utf8_to_johab utf8_to_koi8r utf8_to_koi8u utf8_to_shift_jis_2004
  utf8_to_sjis utf8_to_uhc utf8_to_win uuid_cmp uuid_eq uuid_extract_timestamp uuid_extract_version
  uuid_ge uuid_gt uuid_hash uuid_hash_extended uuid_le uuid_lt uuid_ne uuid_skipsupport
  uuid_sortsupport varbit varbitcmp varbiteq varbitge varbitgt varbitle varbitlt varbitne varchar
  version websearch_to_tsquery width width_bucket win1250_to_latin2 win1250_to_mic win1251_to_iso
  win1251_to_koi8r win1251_to_mic win1251_to_win866 win866_to_iso win866_to_koi8r win866_to_mic
  win866_to_win1251 win_to_utf8 xid xid8_larger xid8_smaller xid8cmp xid8eq xid8ge xid8gt xid8le
  xid8lt xid8ne xideq xideqint4 xidneq xidneqint4 xml xml_is_well_formed xml_is_well_formed_content
  xml_is_well_formed_document xmlcomment xmlconcat2 xmlexists xmltext xmlvalidate xpath xpath_exists`
    .trim()
    .split(/\s+/),
);
