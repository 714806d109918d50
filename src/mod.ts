/**
 * insomnia-pod library entry: resolve Nix profiles and TOML manifests into validated Pod manifests.
 * @module
 */
export * from "./errors.ts";
export { NIX_LIBRARY_VERSION, PROFILE_FORMAT, VERSION } from "./version.ts";
