"""Our jsonschema keywords and the relations they state (x-sum, x-balance, x-compare,
x-continuity): `relations` holds the records, `keywords` one small generator per keyword in
jsonschema's style, `registry` the validators that carry them. Knows nothing of cells or files."""
