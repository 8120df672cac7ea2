// The page without a build step: drag and drop, several files, and a progress indication.
// Without this script the form is posted as it is and the server answers with the same page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("verify-form");
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var chosen = document.getElementById("chosen");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("bar");
  var text = document.getElementById("progress-text");
  var results = document.getElementById("results");
  var button = document.getElementById("submit");

  function showChosen() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    chosen.textContent = names.length ? "已选择 " + names.length + " 个文件：" + names.join("、") : "";
  }
  input.addEventListener("change", showChosen);

  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (f) { all.items.add(f); });
    Array.prototype.forEach.call(e.dataTransfer.files, function (f) { all.items.add(f); });
    input.files = all.files;
    showChosen();
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!input.files.length) { chosen.textContent = "请先选择文件"; return; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        bar.value = Math.round(100 * ev.loaded / ev.total);
        text.textContent = "正在上传……" + bar.value + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");     // indeterminate while the server checks
      text.textContent = "正在校验 " + input.files.length + " 个文件，请稍候……";
    });
    xhr.addEventListener("load", function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var answer = doc.getElementById("results");
      results.innerHTML = answer ? answer.innerHTML : "<section class=\"panel notice\">服务器返回了无法识别的内容（" + xhr.status + "）</section>";
      done();
      results.scrollIntoView({behavior: "smooth"});
    });
    xhr.addEventListener("error", function () {
      results.innerHTML = "<section class=\"panel notice\" role=\"alert\">无法连接服务器，请稍后重试</section>";
      done();
    });
    results.innerHTML = "";
    bar.value = 0;
    text.textContent = "正在上传……";
    progress.hidden = false;
    button.disabled = true;
    xhr.send(new FormData(form));
  });

  function done() {
    progress.hidden = true;
    button.disabled = false;
  }
});
