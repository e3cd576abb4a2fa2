namespace EnvScore.Testing;

/// <summary>
/// Real images made by another program: Chromium's encoders (a 4×3 canvas, `toDataURL('image/jpeg', 0.9)` and
/// `toDataURL('image/png')` in /usr/bin/chromium --headless). Uploads are verified whole (ImageCheck), so tests
/// upload real photos, not magic bytes.
/// </summary>
public static class TestImages
{
    public static readonly byte[] Jpeg = Convert.FromBase64String("/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAADAAQDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABwQAAICAwEBAAAAAAAAAAAAAAECABIDIWERMf/EABUBAQEAAAAAAAAAAAAAAAAAAAQI/8QAGREAAwADAAAAAAAAAAAAAAAAAAECERIx/9oADAMBAAIRAxEAPwBjxLitUsbMWNmLb578HBqIiC6TfVVb2p5Z/9k=");
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAK0lEQVR4AUzIwQkAQAgDwcWWrrjUYCvXpBpfBgbCxvuqK5gpweayIQXm0AAAAP//9wZwUQAAAAZJREFUAwDPyg1TQ7j4qwAAAABJRU5ErkJggg==");

    /// <summary>
    /// <see cref="Png"/> with a tEXt chunk (keyword "Title", the text given) after its header: the same picture as a
    /// different file, as two photos of one scene are. The service stores the same bytes for the same item only once.
    /// </summary>
    public static byte[] PngTitled(string title)
    {
        var text = System.Text.Encoding.Latin1.GetBytes("Title\0").Concat(System.Text.Encoding.UTF8.GetBytes(title)).ToArray();
        var chunk = new byte[12 + text.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, text.Length);
        "tEXt"u8.CopyTo(chunk.AsSpan(4));
        text.CopyTo(chunk, 8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + text.Length), Crc32(chunk.AsSpan(4, 4 + text.Length)));
        const int afterHeader = 8 + 25; // signature, then IHDR (4 length + 4 type + 13 data + 4 CRC)
        return [.. Png.AsSpan(0, afterHeader), .. chunk, .. Png.AsSpan(afterHeader)];
    }

    /// <summary>PNG's CRC-32 (ISO 3309, reflected 0xEDB88320), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
