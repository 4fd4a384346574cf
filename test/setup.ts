// Loaded by mocha before any test file: keep fabric-contract-api's logger quiet in tests.
process.env.CORE_CHAINCODE_LOGGING_LEVEL = process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'error';
