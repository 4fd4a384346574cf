/*
 * fabric-contract-api logs every decorator at info level when its module
 * loads. In the gateway the chaincode runs in-process, so keep its logger at
 * warnings unless the operator asked otherwise. Imported before anything
 * that loads the contracts.
 */
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'WARNING';
