/** The installed (pinned) @scalar/api-reference version (written by scripts/build-assets.ts). */
export declare const version: string;
