/** The dashboard's browser bundle (built from src/dashboard/client/ by scripts/build-assets.ts). */
declare const js: string;
export default js;
