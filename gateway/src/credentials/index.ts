export * from './tokens';
export * from './store';
export * from './csr';
export * from './secret-file';
