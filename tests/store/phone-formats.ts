/** One UK mobile number as visitors write it; the first three are the ones in issue #14. */
export const UK_FORMATS = [
  "07700 900777",
  "+44 7700 900777",
  "07700-900-777",
  "0044 7700 900777",
  "(07700) 900 777",
  "+44 (0)7700 900777",
  "07700/900/777",
];
