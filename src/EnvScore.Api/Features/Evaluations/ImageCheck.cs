using System.Buffers.Binary;
using System.IO.Compression;

namespace EnvScore.Api.Features.Evaluations;

/// <summary>
/// Verifies a whole uploaded photo, not just its first bytes (issue #21): a file that starts like a JPEG or PNG and
/// goes on as an HTML page is refused.
/// <list type="bullet">
/// <item>PNG: signature, IHDR first (width and height 1…<see cref="MaxSide"/>), every chunk's CRC-32, IDAT data that
///   inflates completely within the size the header implies, IEND last, nothing after it.</item>
/// <item>JPEG: SOI, a well-formed marker segment chain with a frame header (SOF, width and height 1…<see cref="MaxSide"/>),
///   entropy-coded scans whose 0xFF bytes are stuffed or restart markers, up to EOI. Bytes after EOI (some phones
///   append a motion clip) are cut off: only the image is stored.</item>
/// </list>
/// Returns the content type and the bytes to store, or null. Work is linear in the file (at most 5 MB, and a PNG's
/// inflated data is bounded by its header and by <see cref="MaxInflatedBytes"/>).
/// </summary>
public static class ImageCheck
{
    public const int MaxSide = 20_000;
    public const long MaxInflatedBytes = 256L * 1024 * 1024;

    public static (string ContentType, byte[] Bytes)? Verify(byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return IsPng(bytes) ? ("image/png", bytes) : null;
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return JpegLength(bytes) is { } n ? ("image/jpeg", n == bytes.Length ? bytes : bytes[..n]) : null;
        return null;
    }

    /// <summary>".jpg" or ".png": the served file name is generated, never the uploaded one.</summary>
    public static string Extension(string contentType) => contentType == "image/png" ? ".png" : ".jpg";

    private static bool IsPng(byte[] b)
    {
        var pos = 8;
        var first = true;
        long expected = 0;
        using var idat = new MemoryStream();
        while (pos + 12 <= b.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos));
            if (length > int.MaxValue || pos + 12 + (long)length > b.Length) return false;
            var type = b.AsSpan(pos + 4, 4);
            foreach (var c in type) if (!(c is >= (byte)'A' and <= (byte)'Z' || c is >= (byte)'a' and <= (byte)'z')) return false;
            var data = b.AsSpan(pos + 8, (int)length);
            if (Crc32(b.AsSpan(pos + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(pos + 8 + (int)length))) return false;
            var name = System.Text.Encoding.ASCII.GetString(type);
            if (first)
            {
                if (name != "IHDR" || length != 13) return false;
                var w = BinaryPrimitives.ReadUInt32BigEndian(data);
                var h = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                if (w is 0 or > MaxSide || h is 0 or > MaxSide) return false;
                var bitDepth = data[8];
                var colour = data[9];
                int channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
                if (channels == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16)) return false;
                var rowBytes = ((long)w * channels * bitDepth + 7) / 8;
                expected = data[12] == 1 ? (rowBytes + 1) * h * 2 : (rowBytes + 1) * h; // interlaced: room for the passes
                if (expected > MaxInflatedBytes) return false;
                first = false;
            }
            else if (name == "IDAT") idat.Write(data);
            else if (name == "IEND") return pos + 12 + length == b.Length && idat.Length > 0 && Inflates(idat, expected);
            pos += 12 + (int)length;
        }
        return false;
    }

    private static bool Inflates(MemoryStream compressed, long bound)
    {
        compressed.Position = 0;
        try
        {
            using var z = new ZLibStream(compressed, CompressionMode.Decompress);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = z.Read(buffer)) > 0)
                if ((total += n) > bound) return false;
            return total > 0;
        }
        catch (InvalidDataException) { return false; }
    }

    /// <summary>The length of the JPEG up to and including EOI, or null when the structure is broken.</summary>
    private static int? JpegLength(byte[] b)
    {
        var pos = 2;
        var frame = false;
        while (pos + 2 <= b.Length)
        {
            if (b[pos] != 0xFF) return null;
            var marker = b[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker == 0xD9) return frame ? pos + 2 : null; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) { pos += 2; continue; }
            if (pos + 4 > b.Length) return null;
            var length = (b[pos + 2] << 8) | b[pos + 3];
            if (length < 2 || pos + 2 + length > b.Length) return null;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 8) return null;
                var h = (b[pos + 5] << 8) | b[pos + 6];
                var w = (b[pos + 7] << 8) | b[pos + 8];
                if (w is 0 or > MaxSide || h is 0 or > MaxSide) return null;
                frame = true;
            }
            pos += 2 + length;
            if (marker == 0xDA) // SOS: entropy-coded data up to the next marker that is not stuffing or a restart
            {
                if (!frame) return null;
                while (pos + 1 < b.Length && !(b[pos] == 0xFF && b[pos + 1] is not 0x00 and not (>= 0xD0 and <= 0xD7))) pos++;
                if (pos + 1 >= b.Length) return null;
            }
        }
        return null;
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var x in data) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
