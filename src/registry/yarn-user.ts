// The user's yarn configuration is read in deps/ (the offline checks need it too); the registry stage reads it here.
export * from '../deps/yarnrc-user.js';
