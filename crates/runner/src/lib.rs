//! Runs v2.1 collections: folder order and selection, iterations with data
//! files, variable scopes and `{{…}}` substitution, auth, every body mode,
//! and pre-request and test scripts (`portico-script`).
