export * from './starter-list';
