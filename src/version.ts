/** Product and Nix-library versions recorded in provenance and fingerprints. */
export const VERSION = "0.1.0";
/** Version of `resources/nix/profile-lib.nix`; bump when its output for a given input changes. */
export const NIX_LIBRARY_VERSION = "1.0.0";
/** The artifact envelope format this build reads and writes. */
export const PROFILE_FORMAT = "insomnia.nix-profile.v1";
