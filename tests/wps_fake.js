/* A stand-in for WPS 表格's object model (window.Application), for the add-in's tests in a real
 * browser. It holds one workbook — sheets of values, notes (批注) with their authors, fills —
 * and records every call the add-in makes (reads prefixed "read "). It implements only what docs/wps-object-model.md
 * lists, the way that document says WPS behaves: Interior.Color is a BGR long, ColorIndex -4142
 * is "no fill", Address(false, false) is relative, Worksheets.Add(Before, After) names the new
 * sheet SheetN and puts it after `After`, Delete() asks unless DisplayAlerts is false, AddComment
 * on a cell that has a note fails, the note's author is Application.UserName.
 * Loaded with Playwright's add_init_script; window.__wpsInstall(spec) builds the workbook. */
(function () {
    "use strict";
    var state = {log: [], alerts: [], prompts: 0};
    var app = null;

    function colNum(letters) {
        var n = 0;
        for (var i = 0; i < letters.length; i++) n = n * 26 + letters.charCodeAt(i) - 64;
        return n;
    }
    function colName(n) {
        var s = "";
        while (n > 0) { var m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = (n - m - 1) / 26; }
        return s;
    }
    function key(r, c) { return colName(c) + r; }
    function parse(address) {
        var parts = String(address).replace(/\$/g, "").toUpperCase().split(":");
        var cells = parts.map(function (p) {
            var m = /^([A-Z]+)(\d+)$/.exec(p);
            if (!m) throw new Error("bad address " + address);
            return {r: Number(m[2]), c: colNum(m[1])};
        });
        var b = cells[cells.length - 1];
        return {r1: cells[0].r, c1: cells[0].c, r2: b.r, c2: b.c};
    }
    function record(what) { state.log.push(what); }

    function Comment(sheet, k) {
        var self = this;
        Object.defineProperty(this, "Author", {get: function () { return sheet.comments[k].author; }});
        Object.defineProperty(this, "Parent", {get: function () { var p = parse(k); return new Range(sheet, p.r1, p.c1, p.r1, p.c1); }});
        this.Text = function (text) {
            if (text !== undefined) { record("Comment.Text " + sheet.name + "!" + k); sheet.comments[k].text = String(text); }
            return sheet.comments[k].text;
        };
        this.Delete = function () { record("Comment.Delete " + sheet.name + "!" + k); delete sheet.comments[k]; };
        return self;
    }

    function Range(sheet, r1, c1, r2, c2) {
        var single = r1 === r2 && c1 === c2;
        var where = sheet.name + "!" + key(r1, c1) + (single ? "" : ":" + key(r2, c2));
        function forEach(fn) { for (var r = r1; r <= r2; r++) for (var c = c1; c <= c2; c++) fn(r, c, key(r, c)); }
        Object.defineProperty(this, "Row", {get: function () { return r1; }});
        Object.defineProperty(this, "Column", {get: function () { return c1; }});
        Object.defineProperty(this, "Value2", {
            get: function () {
                record("read Range.Value2 " + where);
                if (single) { var v = sheet.cells[key(r1, c1)]; return v === undefined ? undefined : v; }
                var out = [];
                for (var r = r1; r <= r2; r++) {
                    var row = [];
                    for (var c = c1; c <= c2; c++) { var x = sheet.cells[key(r, c)]; row.push(x === undefined ? undefined : x); }
                    out.push(row);
                }
                return out;
            },
            set: function (v) {
                record("Range.Value2 set " + where);
                forEach(function (r, c, k) {
                    var x = v instanceof Array ? (v[r - r1] || [])[c - c1] : v;
                    if (x === undefined || x === null || x === "") delete sheet.cells[k]; else sheet.cells[k] = x;
                });
            }
        });
        this.Address = function (rowAbs, colAbs) {
            var rel = rowAbs === false && colAbs === false;
            function one(r, c) { return rel ? key(r, c) : "$" + colName(c) + "$" + r; }
            return one(r1, c1) + (single ? "" : ":" + one(r2, c2));
        };
        Object.defineProperty(this, "Comment", {get: function () {
            var k = key(r1, c1);
            return sheet.comments[k] ? new Comment(sheet, k) : null;
        }});
        this.AddComment = function (text) {
            var k = key(r1, c1);
            record("Range.AddComment " + where);
            if (sheet.comments[k]) throw new Error("该单元格已有批注");
            sheet.comments[k] = {text: String(text), author: app.UserName};
            return new Comment(sheet, k);
        };
        this.ClearContents = function () {
            record("Range.ClearContents " + where);
            forEach(function (r, c, k) { delete sheet.cells[k]; });
        };
        var interior = {};
        Object.defineProperty(interior, "Color", {
            get: function () { var f = sheet.fills[key(r1, c1)]; return f === undefined ? 16777215 : f; },
            set: function (v) { record("Interior.Color " + where + " " + v); forEach(function (r, c, k) { sheet.fills[k] = v; }); }
        });
        Object.defineProperty(interior, "ColorIndex", {
            get: function () { return sheet.fills[key(r1, c1)] === undefined ? -4142 : 56; },
            set: function (v) {
                record("Interior.ColorIndex " + where + " " + v);
                if (v !== -4142) throw new Error("the fake knows only ColorIndex -4142 (none)");
                forEach(function (r, c, k) { delete sheet.fills[k]; });
            }
        });
        Object.defineProperty(this, "Interior", {get: function () { return interior; }});
    }

    function Worksheet(book, data) {
        var self = this;
        this._data = data;
        Object.defineProperty(this, "Name", {
            get: function () { return data.name; },
            set: function (v) {
                record("Worksheet.Name " + data.name + " → " + v);
                if (book.sheets.some(function (s) { return s !== self && s._data.name === v; })) throw new Error("工作表名称重复");
                data.name = v;
            }
        });
        Object.defineProperty(this, "Visible", {
            get: function () { return data.visible; },
            set: function (v) { record("Worksheet.Visible " + data.name + " " + v); data.visible = v; }
        });
        Object.defineProperty(this, "UsedRange", {get: function () {
            var r1 = Infinity, c1 = Infinity, r2 = 0, c2 = 0;
            Object.keys(data.cells).forEach(function (k) {
                var p = parse(k);
                r1 = Math.min(r1, p.r1); c1 = Math.min(c1, p.c1); r2 = Math.max(r2, p.r1); c2 = Math.max(c2, p.c1);
            });
            return r2 ? new Range(data, r1, c1, r2, c2) : new Range(data, 1, 1, 1, 1);
        }});
        Object.defineProperty(this, "Cells", {get: function () { return new Range(data, 1, 1, 1048576, 16384); }});
        Object.defineProperty(this, "Comments", {get: function () {
            var keys = Object.keys(data.comments);
            return {Count: keys.length, Item: function (i) { record("read Comments.Item " + data.name + " " + i); return new Comment(data, keys[i - 1]); }};
        }});
        this.Range = function (address) {
            record("read Worksheet.Range " + data.name + "!" + address);
            var p = parse(address);
            return new Range(data, p.r1, p.c1, p.r2, p.c2);
        };
        this.Delete = function () {
            record("Worksheet.Delete " + data.name + (app.DisplayAlerts ? " (asked the user)" : ""));
            if (app.DisplayAlerts) state.prompts += 1;
            book.sheets.splice(book.sheets.indexOf(self), 1);
        };
    }
    // The range's ClearContents over the whole sheet must not loop over 17 billion cells.
    var plainRange = Range;
    Range = function (sheet, r1, c1, r2, c2) {
        var range = new plainRange(sheet, r1, c1, r2, c2);
        if (r2 - r1 > 10000) {
            range.ClearContents = function () { record("Range.ClearContents " + sheet.name + "!Cells"); sheet.cells = {}; };
        }
        return range;
    };

    function Workbook(spec) {
        var book = this;
        this.Name = spec.name;
        this.sheets = [];
        spec.sheets.forEach(function (s) {
            book.sheets.push(new Worksheet(book, {name: s.name, visible: s.visible === undefined ? -1 : s.visible,
                cells: Object.assign({}, s.cells || {}), comments: JSON.parse(JSON.stringify(s.comments || {})),
                fills: Object.assign({}, s.fills || {})}));
        });
        var names = spec.names || [];
        this.Names = {Count: names.length, Item: function (i) {
            record("read Names.Item " + i);
            return {Name: names[i - 1].name, RefersTo: names[i - 1].refers_to};
        }};
        this.Worksheets = {};
        Object.defineProperty(this.Worksheets, "Count", {get: function () { return book.sheets.length; }});
        this.Worksheets.Item = function (i) {
            record("read Worksheets.Item " + i);
            var found = typeof i === "number" ? book.sheets[i - 1] : book.sheets.filter(function (s) { return s.Name === i; })[0];
            if (!found) throw new Error("没有工作表 " + i);
            return found;
        };
        this.Worksheets.Add = function (before, after) {
            var n = 1;
            while (book.sheets.some(function (s) { return s.Name === "Sheet" + n; })) n += 1;
            var ws = new Worksheet(book, {name: "Sheet" + n, visible: -1, cells: {}, comments: {}, fills: {}});
            var at = after ? book.sheets.indexOf(after) + 1 : before ? book.sheets.indexOf(before) : 0;
            record("Worksheets.Add Sheet" + n + " at " + at);
            book.sheets.splice(at, 0, ws);
            return ws;
        };
    }

    window.__wpsInstall = function (spec) {
        var book = new Workbook(spec);
        app = {ActiveWorkbook: book, DisplayAlerts: true, UserName: spec.user || "张三"};
        window.Application = app;
        window.wps = app;
        window.alert = function (text) { state.alerts.push(String(text)); };
        state.book = book;
    };
    state.snapshot = function () {
        return {
            sheets: state.book.sheets.map(function (s) {
                var d = s._data;
                return {name: d.name, visible: d.visible, cells: d.cells, comments: d.comments, fills: d.fills};
            }),
            displayAlerts: app.DisplayAlerts
        };
    };
    state.setValue = function (sheet, address, value) { state.book.Worksheets.Item(sheet)._data.cells[address] = value; };
    state.mutations = function () {
        return state.log.filter(function (line) { return line.indexOf("read ") !== 0; });
    };
    window.__wps = state;
}());
