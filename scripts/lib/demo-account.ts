/**
 * Fixed, clearly local-only demo credentials: never valid anywhere but a developer's machine. A module of their
 * own, so that `npm start` can name them without loading the demo seed (and much of src/ with it).
 */
export const DEMO = {
  account_id: "00000000-0000-4000-8000-00000000de00",
  api_key: "ek_demo_local_only",
  api_secret: "es_demo_local_only_do_not_use_in_production",
  signing_secret: "whsec_demo_local_only",
};
