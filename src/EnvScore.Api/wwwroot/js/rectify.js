// Rectification pages: when a photo is chosen, fill its capture time field (the file's time, in the phone's local time)
// unless the user typed one. The server prefers the photo's EXIF time when it has one.
document.querySelectorAll('input[type=file][data-captured]').forEach(function (input) {
    input.addEventListener('change', function () {
        var target = document.getElementById(input.dataset.captured);
        if (!target || target.value || !input.files || input.files.length === 0) return;
        var d = new Date(input.files[0].lastModified);
        var pad = function (n) { return String(n).padStart(2, '0'); };
        target.value = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
    });
});
