"""The button inside WPS 表格: a WPS JS add-in (加载项) that checks the open workbook through
`xlcheck serve`.

`addin/` holds the add-in as WPS loads it (`ribbon.xml`, `index.html`, `js/xlcheck.js`, icons),
plain files with no build step; `build.py` adds the two files that depend on where the server is
(`config.js`, `jsplugins.xml`) and the clerk's `publish.html`, for the server to serve under
`/wps/` and for `xlcheck wps build` to write. `plan.py` answers the add-in: it checks the values
the add-in read with the same core as `xlcheck verify` and returns the marks `xlcheck.excel`'s
plan computes, which the JavaScript applies without knowing any rule.
"""
