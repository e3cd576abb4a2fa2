using System.Text;
using System.Text.Json;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// The one place that refuses control characters in free text (notes, reasons, names, titles, forewords…): every string
/// value of a JSON write body (POST/PUT/PATCH with a JSON content type) is checked before any endpoint sees it. A string
/// holding a C0 control character other than tab, line feed and carriage return (U+0000–U+001F), or DEL/C1
/// (U+007F–U+009F), is answered 400 <c>InvalidJson</c> in the field-problem shape, naming the JSON path:
/// <c>{"errors":{"entries[0].note":["备注（entries[0].note）不能包含控制字符U+0000 …"]}}</c>. PostgreSQL cannot store
/// U+0000 in text, and the others are never typed by a person. Bodies over <see cref="MaxScannedBytes"/> are left to the
/// endpoint (its own size limit answers). Form posts are read by the pages, which check with <see cref="Find"/>.
/// </summary>
public static class ControlCharacterGuard
{
    public const int MaxScannedBytes = 1024 * 1024;

    private static readonly Dictionary<string, string> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["note"] = "备注", ["reason"] = "原因", ["name"] = "名称", ["title"] = "标题", ["foreword"] = "前言",
        ["displayName"] = "显示名称", ["userName"] = "用户名", ["itemCode"] = "评分项编码", ["code"] = "编码",
        ["level"] = "等级", ["kind"] = "类型", ["month"] = "月份",
    };

    /// <summary>The first control character in the text (see the class summary), or null.</summary>
    public static char? Find(string? text)
    {
        if (text is null) return null;
        foreach (var c in text)
            if (c is < ' ' and not ('\t' or '\n' or '\r') or >= '\u007f' and <= '\u009f') return c;
        return null;
    }

    /// <summary>The Chinese message for a field holding <paramref name="c"/>: "备注（entries[0].note）不能包含控制字符U+0000…".</summary>
    public static string Message(string path, char c)
    {
        var last = path[(path.LastIndexOf('.') + 1)..];
        var bracket = last.IndexOf('[');
        if (bracket >= 0) last = last[..bracket];
        var label = Labels.TryGetValue(last, out var l) ? $"{l}（{path}）" : path;
        return $"{label}不能包含控制字符U+{(int)c:X4}，请删除后再提交 (control characters are not allowed)";
    }

    public static async Task Middleware(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            || request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true
            || request.ContentLength is > MaxScannedBytes)
        {
            await next();
            return;
        }
        request.EnableBuffering();
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxScannedBytes) break;
        }
        request.Body.Position = 0;
        if (buffer.Length <= MaxScannedBytes && Scan(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } found)
        {
            await JsonFieldErrors.Result(http, found.Path, Message(found.Path, found.Char)).ExecuteAsync(http);
            return;
        }
        // Kept for naming the field when an OData reader cannot bind the body (ODataBodyErrors).
        if (buffer.Length <= MaxScannedBytes) http.Items[ODataBodyErrors.BodyKey] = buffer.ToArray();
        await next();
    }

    /// <summary>The JSON path and character of the first string value holding a control character; null if none or not JSON.</summary>
    public static (string Path, char Char)? Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        var path = new List<(bool Array, int Index, string? Name)>();
        string? pending = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path, pending);
                        path.Add((reader.TokenType == JsonTokenType.StartArray, -1, pending));
                        pending = null;
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        continue;
                    default:
                        Advance(path, pending);
                        if (reader.TokenType == JsonTokenType.String && (reader.ValueIsEscaped || HasRawControl(reader.ValueSpan))
                            && Find(reader.GetString()) is { } c)
                            return (Format(path, pending), c);
                        pending = null;
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or not UTF-8): the endpoint's binding says so.
        }
        catch (InvalidOperationException)
        {
        }
        return null;
    }

    private static bool HasRawControl(ReadOnlySpan<byte> span)
    {
        foreach (var b in span) if (b is 0xC2 or 0x7F) return true; // DEL; U+0080–U+009F are C2 80–C2 9F in UTF-8
        return false;
    }

    private static void Advance(List<(bool Array, int Index, string? Name)> path, string? _)
    {
        if (path.Count > 0 && path[^1].Array) path[^1] = path[^1] with { Index = path[^1].Index + 1 };
    }

    private static string Format(List<(bool Array, int Index, string? Name)> path, string? property)
    {
        var text = new StringBuilder();
        foreach (var (array, index, name) in path)
        {
            if (name is not null) text.Append(text.Length == 0 ? "" : ".").Append(name);
            if (array) text.Append('[').Append(index).Append(']');
        }
        // The innermost array's index is that of the element being read, which is right for its elements.
        if (property is not null) text.Append(text.Length == 0 ? "" : ".").Append(property);
        return text.Length == 0 ? "$" : text.ToString();
    }
}
