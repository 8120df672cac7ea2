/* xlcheck 的 WPS 表格加载项：功能区「政务公开校验」的两个按钮。
 *
 * 「校验当前工作簿」读出当前工作簿每张工作表已用区域的值、批注所在的单元格和工作簿的名称，
 * 发给 xlcheck serve（POST /api/wps），再把服务器算好的方案照做：先撤销上次的标记，再加批注、
 * 填色、写「校验结果」表和隐藏的记录表，最后弹出摘要。「清除标记」只撤销。
 *
 * 这里没有任何校验规则，也不写死任何表格、颜色或工作表名：这些都由服务器的回答给出。
 * 只用到 WPS 表格对象模型的一小部分（见 docs/wps-object-model.md）。
 * 写成 ES5（var、function、XMLHttpRequest），旧版 WPS 的内置浏览器也能运行。
 */
(function () {
    "use strict";

    var XL_COLOR_INDEX_NONE = -4142;   // xlColorIndexNone：无填充
    var XL_SHEET_HIDDEN = 0;           // xlSheetHidden
    var BUTTONS = {xlcheckVerify: "verify", xlcheckClear: "clear"};
    var IMAGES = {xlcheckVerify: "images/verify.svg", xlcheckClear: "images/clear.svg"};
    var UNCHANGED = "工作簿未作任何修改。";

    function config() {
        return window.XLCHECK_CONFIG || {server: "", token: null};
    }

    function app() {
        return window.Application;
    }

    function say(text) {
        alert(text);
    }

    // ------------------------------------------------------------------ reading the workbook

    function each(collection, fn) {
        var n = collection.Count;
        for (var i = 1; i <= n; i++) {
            fn(collection.Item(i), i);
        }
    }

    function plainAddress(range) {
        var a = typeof range.Address === "function" ? range.Address(false, false) : range.Address;
        return String(a).replace(/\$/g, "");
    }

    function rows(value) {
        if (value === null || value === undefined) {
            return [];
        }
        if (!(value instanceof Array)) {
            return [[value]];
        }
        return value.length && !(value[0] instanceof Array) ? [value] : value;
    }

    function readSheet(ws) {
        var used = ws.UsedRange;
        var notes = [];
        each(ws.Comments, function (comment) {
            notes.push(plainAddress(comment.Parent));
        });
        // Visible: -1 (or true) shown, 0 hidden, 2 very hidden — a table read from a hidden sheet is a finding
        return {name: ws.Name, top: used.Row, left: used.Column, values: rows(used.Value2), notes: notes,
                visible: ws.Visible};
    }

    function readBook(wb, action) {
        var sheets = [];
        var names = [];
        each(wb.Worksheets, function (ws) {
            sheets.push(readSheet(ws));
        });
        each(wb.Names, function (name) {
            names.push({name: String(name.Name), refers_to: String(name.RefersTo || "")});
        });
        return {action: action, book: wb.Name, sheets: sheets, names: names};
    }

    // ------------------------------------------------------------------ the server

    function endpoint() {
        return config().server.replace(/\/+$/, "") + "/api/wps";
    }

    function post(body, done) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", endpoint());
        xhr.setRequestHeader("Content-Type", "application/json");
        if (config().token) {
            xhr.setRequestHeader("Authorization", "Bearer " + config().token);
        }
        xhr.onload = function () {
            var data = null;
            try {
                data = JSON.parse(xhr.responseText);
            } catch (e) {
                data = null;
            }
            done(xhr.status, data);
        };
        xhr.onerror = function () {
            done(0, null);
        };
        xhr.send(JSON.stringify(body));
    }

    function failure(status, data) {
        if (status === 0) {
            return "无法连接校验服务器 " + (config().server || location.origin) +
                "：请确认网络通畅、服务器已启动，或联系管理员。" + UNCHANGED;
        }
        if (status === 401) {
            return "校验服务器拒绝了访问令牌：请向管理员索取带令牌的加载项地址，重新添加加载项。" + UNCHANGED;
        }
        var reason = data && data.error ? data.error : "校验服务器返回错误（" + status + "）";
        return reason + "\n" + UNCHANGED;
    }

    // ------------------------------------------------------------------ applying the plan

    function findSheet(wb, name) {
        var found = null;
        each(wb.Worksheets, function (ws) {
            if (!found && ws.Name === name) {
                found = ws;
            }
        });
        return found;
    }

    function bgr(hex) {          // "#RRGGBB" → the BGR long that Interior.Color takes
        var n = parseInt(hex.slice(1), 16);
        return ((n & 0xFF) << 16) | (n & 0xFF00) | ((n >> 16) & 0xFF);
    }

    function hex(color) {        // the BGR long → "#RRGGBB"
        var rgb = ((color & 0xFF) << 16) | (color & 0xFF00) | ((color >> 16) & 0xFF);
        return "#" + ("000000" + rgb.toString(16).toUpperCase()).slice(-6);
    }

    function readFill(range) {
        var interior = range.Interior;
        return interior.ColorIndex === XL_COLOR_INDEX_NONE ? "" : hex(interior.Color);
    }

    function setFill(range, fill) {
        if (fill) {
            range.Interior.Color = bgr(fill);
        } else {
            range.Interior.ColorIndex = XL_COLOR_INDEX_NONE;
        }
    }

    function addSheetAtEnd(wb, name) {
        var ws = wb.Worksheets.Add(undefined, wb.Worksheets.Item(wb.Worksheets.Count));
        ws.Name = name;
        return ws;
    }

    function writeSheet(wb, spec, existing) {
        var ws = existing || addSheetAtEnd(wb, spec.sheet);
        if (spec.hidden) {
            ws.Visible = XL_SHEET_HIDDEN;
        }
        ws.Range(spec.range).Value2 = spec.rows;
    }

    function undo(wb, plan) {
        plan.undo.forEach(function (u) {
            var ws = findSheet(wb, u.sheet);
            if (!ws) {
                return;
            }
            var range = ws.Range(u.cell);
            if (u.note && range.Comment) {
                range.Comment.Delete();
            }
            setFill(range, u.fill);
        });
        plan.remove.forEach(function (name) {
            var ws = findSheet(wb, name);
            if (ws) {
                ws.Delete();
            }
        });
        var record = findSheet(wb, plan.clear);
        if (record) {
            record.Cells.ClearContents();
        }
        return record;
    }

    function mark(wb, plan, record) {
        var rowsOfRecord = plan.record.rows;
        plan.marks.forEach(function (m, i) {
            var range = findSheet(wb, m.sheet).Range(m.cell);
            rowsOfRecord[i + 1][plan.record.fill_column] = readFill(range);
            if (m.note !== null) {
                var comment = range.AddComment(m.note);
                if (comment && comment.Text() !== m.note) {
                    comment.Text(m.note);       // WPS's reference shows AddComment() then Text(...)
                }
            }
            setFill(range, m.fill);
        });
        writeSheet(wb, plan.record, record);
        writeSheet(wb, plan.results, null);
    }

    function apply(wb, plan) {
        var application = app();
        var alerts = application.DisplayAlerts;
        application.DisplayAlerts = false;          // deleting a sheet would otherwise ask
        try {
            var record = undo(wb, plan);
            if (plan.record) {
                mark(wb, plan, record);
            }
        } finally {
            application.DisplayAlerts = alerts;
        }
    }

    // ------------------------------------------------------------------ the buttons

    function run(action) {
        var wb = app() && app().ActiveWorkbook;
        if (!wb) {
            say("没有打开的工作簿：请先打开要校验的年报统计表。");
            return;
        }
        var body;
        try {
            body = readBook(wb, action);
        } catch (e) {
            say("读取工作簿失败：" + e.message + "\n" + UNCHANGED);
            return;
        }
        post(body, function (status, plan) {
            if (status !== 200 || !plan) {
                say(failure(status, plan));
                return;
            }
            try {
                apply(wb, plan);
            } catch (e) {
                say("写入标记时出错：" + e.message);
                return;
            }
            say(plan.message);
        });
    }

    window.ribbon = {
        OnAddinLoad: function (ribbonUI) {
            if (typeof app().ribbonUI !== "object") {
                app().ribbonUI = ribbonUI;
            }
            return true;
        },
        OnAction: function (control) {
            var action = BUTTONS[control.Id];
            if (action) {
                run(action);
            }
            return true;
        },
        GetImage: function (control) {
            return IMAGES[control.Id] || "";
        }
    };
}());
