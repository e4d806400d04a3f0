export * from './admin-schemas';
export * from './policy-resolution';
export * from './admin-errors';
