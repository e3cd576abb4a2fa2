using System.Globalization;
using EnvScore.Domain.Calendar;

namespace EnvScore.Api.Features.Rectifications;

/// <summary>
/// The capture time a phone wrote into a JPEG: EXIF DateTimeOriginal (tag 0x9003 in the Exif IFD), else DateTime (0x0132
/// in IFD0), "yyyy:MM:dd HH:mm:ss" read as Asia/Shanghai wall-clock time (EXIF has no zone; the phones here are set to
/// China time). Null when the file has no such tag or the structure is broken; never throws. Bounded: reads only the APP1
/// segment (≤ 64 KB).
/// </summary>
public static class ExifDate
{
    public static DateTimeOffset? Read(byte[] jpeg)
    {
        try
        {
            if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return null;
            var pos = 2;
            while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
            {
                var marker = jpeg[pos + 1];
                if (marker is 0xDA or 0xD9) return null; // scan data: no metadata after this
                var length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
                if (length < 2 || pos + 2 + length > jpeg.Length) return null;
                if (marker == 0xE1 && length >= 16 && jpeg.AsSpan(pos + 4, 6).SequenceEqual("Exif\0\0"u8))
                    return FromTiff(jpeg.AsSpan(pos + 10, length - 8));
                pos += 2 + length;
            }
            return null;
        }
        catch (ArgumentOutOfRangeException) { return null; }
    }

    private static DateTimeOffset? FromTiff(ReadOnlySpan<byte> t)
    {
        if (t.Length < 8) return null;
        var little = t[0] == 'I' && t[1] == 'I';
        if (!little && !(t[0] == 'M' && t[1] == 'M')) return null;
        int U16(ReadOnlySpan<byte> s, int at) => little ? s[at] | (s[at + 1] << 8) : (s[at] << 8) | s[at + 1];
        long U32(ReadOnlySpan<byte> s, int at) => little
            ? (uint)(s[at] | (s[at + 1] << 8) | (s[at + 2] << 16) | (s[at + 3] << 24))
            : (uint)((s[at] << 24) | (s[at + 1] << 16) | (s[at + 2] << 8) | s[at + 3]);

        string? Ascii(ReadOnlySpan<byte> s, long ifd, int tag, out long pointer)
        {
            pointer = -1;
            if (ifd <= 0 || ifd + 2 > s.Length) return null;
            var count = U16(s, (int)ifd);
            for (var i = 0; i < count && ifd + 2 + (i + 1) * 12 <= s.Length; i++)
            {
                var e = (int)ifd + 2 + i * 12;
                var id = U16(s, e);
                if (id == 0x8769) pointer = U32(s, e + 8);
                if (id != tag) continue;
                var n = U32(s, e + 4);
                if (n < 19 || n > 64) return null;
                var at = U32(s, e + 8);
                if (at + 19 > s.Length) return null;
                return System.Text.Encoding.ASCII.GetString(s.Slice((int)at, 19));
            }
            return null;
        }

        var ifd0 = U32(t, 4);
        var dateTime = Ascii(t, ifd0, 0x0132, out var exifIfd);
        var original = exifIfd > 0 ? Ascii(t, exifIfd, 0x9003, out _) : null;
        return Parse(original) ?? Parse(dateTime);
    }

    private static DateTimeOffset? Parse(string? text) =>
        text is not null && DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? ChinaTime.At(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local))
            : null;
}
