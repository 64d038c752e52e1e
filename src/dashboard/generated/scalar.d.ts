/** @scalar/api-reference's standalone browser bundle (copied by scripts/build-assets.ts). */
declare const js: string;
export default js;
/** The installed (pinned) @scalar/api-reference version. */
export declare const version: string;
