using System.Text.Json;
using System.Text.RegularExpressions;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// Names the field of a JSON body that could not be bound, and what it should have been, in Chinese: the one place that
/// turns System.Text.Json's and the OData reader's binding failures into a field problem. The field is the JSON path
/// without the leading <c>$.</c> (<c>entries[0].passed</c>); the message says what is expected
/// (<c>应为true或false</c>, <c>应为整数（-2147483648至2147483647）</c>, <c>应为数组</c>…).
/// The answer is 400 with code <c>InvalidJson</c> and <c>errors: {field: [message]}</c> (the field-problem shape).
/// </summary>
public static partial class JsonFieldErrors
{
    public const string Title = "请求体中有字段的类型或取值不对，未保存任何内容 (a field of the body has the wrong JSON type)";

    /// <summary>The title of a field problem: the problem itself, e.g. "字段fromMonth的值无效：应为“yyyy-MM”格式的月份字符串…，未保存任何内容".</summary>
    public static string TitleFor(string message)
    {
        var gloss = message.LastIndexOf(" (", StringComparison.Ordinal);
        return (gloss > 0 ? message[..gloss] : message) + "，未保存任何内容 (a field of the body has the wrong JSON type)";
    }

    /// <summary>Month fields (<c>month</c>, <c>fromMonth</c>) are strings "yyyy-MM" wherever they appear; said so rather than "应为字符串".</summary>
    public static string? ExpectedForField(string field)
    {
        var leaf = field[(field.LastIndexOf('.') + 1)..];
        return leaf.Equals("month", StringComparison.OrdinalIgnoreCase) || leaf.Equals("fromMonth", StringComparison.OrdinalIgnoreCase)
            ? "应为\"yyyy-MM\"格式的月份字符串（如\"2027-01\"）"
            : null;
    }

    /// <summary>The field path and Chinese message for a binding failure; null when the exception names no field.</summary>
    /// <param name="exception">System.Text.Json's exception (its Path names the field).</param>
    /// <param name="target">The type the body was read as, when known: the field's declared type is looked up along the
    /// path (STJ names the record, not the member, when it binds constructor parameters).</param>
    public static (string Field, string Message)? Describe(JsonException exception, Type? target = null)
    {
        var field = FieldOf(exception.Path);
        if (field is null) return null;
        // Bytes that are not UTF-8 inside a string: the body's encoding is wrong, not the field's type.
        static bool Utf8(string? m) => m is not null && (m.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || m.Contains("transcode", StringComparison.OrdinalIgnoreCase));
        if (exception.InnerException is System.Text.DecoderFallbackException || Utf8(exception.Message) || Utf8(exception.InnerException?.Message)) return null;
        // Only type and null errors name a field; a body that is not UTF-8 or not JSON is said so by the caller.
        if (!exception.Message.Contains("could not be converted", StringComparison.Ordinal)
            && !exception.Message.Contains("doesn't allow setting null", StringComparison.Ordinal)) return null;
        var declared = target is null ? null : TypeAt(target, field);
        var expected = declared is not null && !exception.Message.Contains("doesn't allow setting null", StringComparison.Ordinal)
            ? ExpectedOfType(ClrName(declared))
            : ExpectedFor(exception.Message);
        if (expected is null && exception.Message.Contains("doesn't allow setting null", StringComparison.Ordinal)) expected = "不能为null";
        if (!exception.Message.Contains("doesn't allow setting null", StringComparison.Ordinal)) expected = ExpectedForField(field) ?? expected;
        return (field, $"字段{field}的值无效：{expected ?? "类型不对，应符合接口文档中的类型"} (wrong JSON type or value)");
    }

    /// <summary>The declared type of the member at a path like <c>entries[0].clauses[1].yes</c>; null when not found.</summary>
    public static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var indexes = 0;
            var bracket = part.IndexOf('[');
            if (bracket >= 0) { name = part[..bracket]; indexes = part.Count(c => c == '['); }
            if (name.Length > 0)
            {
                var property = type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
                if (property is null) return null;
                type = property.PropertyType;
            }
            for (var i = 0; i < indexes; i++)
            {
                var element = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
                if (element is null) return null;
                type = element;
            }
        }
        return type;
    }

    private static string ClrName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) return "System.Collections.Generic.List`1";
        return type.FullName ?? type.Name;
    }

    /// <summary><c>$.entries[0].passed</c> → <c>entries[0].passed</c>; <c>$</c> or null → null.</summary>
    public static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        // STJ spells unusual names as ['name']
        field = BracketName().Replace(field, m => (m.Index == 0 ? "" : ".") + m.Groups[1].Value);
        return field.Length == 0 ? null : field;
    }

    /// <summary>What a field of the named .NET or EDM type must hold, in Chinese.</summary>
    public static string? ExpectedFor(string message)
    {
        var m = ConvertedTo().Match(message);
        return m.Success ? ExpectedOfType(m.Groups[1].Value) : null;
    }

    public static string ExpectedOfType(string type)
    {
        var t = type.Replace("System.Nullable`1[", "").Replace("Nullable<", "").TrimEnd(']', '>');
        if (t.Contains("List`1", StringComparison.Ordinal) || t.Contains("[]", StringComparison.Ordinal) || t.Contains("IEnumerable", StringComparison.Ordinal)
            || t.Contains("Collection(", StringComparison.Ordinal))
            return "应为数组 [...]";
        return t switch
        {
            "System.Boolean" or "Edm.Boolean" => "应为true或false",
            "System.Int32" or "Edm.Int32" => $"应为整数（{int.MinValue}至{int.MaxValue}）",
            "System.Int64" or "Edm.Int64" => $"应为整数（{long.MinValue}至{long.MaxValue}）",
            "System.Int16" or "Edm.Int16" => $"应为整数（{short.MinValue}至{short.MaxValue}）",
            "System.Byte" or "Edm.Byte" => "应为整数（0至255）",
            "System.Decimal" or "Edm.Decimal" or "System.Double" or "Edm.Double" or "System.Single" or "Edm.Single" => "应为数字",
            "System.String" or "Edm.String" => "应为字符串",
            "System.DateOnly" or "Edm.Date" => "应为日期字符串，如\"2026-11-30\"",
            "System.DateTimeOffset" or "System.DateTime" or "Edm.DateTimeOffset" => "应为带时区的时间字符串，如\"2026-11-30T08:00:00+08:00\"",
            "System.TimeOnly" or "Edm.TimeOfDay" => "应为时间字符串，如\"08:00:00\"",
            "System.Guid" or "Edm.Guid" => "应为GUID字符串",
            _ when t.StartsWith("EnvScore.", StringComparison.Ordinal) && t.Contains("Kind", StringComparison.Ordinal) => "应为接口文档列出的取值之一（字符串）",
            _ when t.StartsWith("EnvScore.", StringComparison.Ordinal) => "应为JSON对象 {...}",
            _ => "类型不对，应符合接口文档中的类型",
        };
    }

    /// <summary>400 InvalidJson in the field-problem shape.</summary>
    public static IResult Result(HttpContext http, string field, string message)
    {
        ErrorCodes.Set(http, ErrorCodes.InvalidJson);
        return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: TitleFor(message),
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.InvalidJson });
    }

    [GeneratedRegex(@"converted to ([^\s]+?)\.?(?: Path|$)", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"\.?\['([^']*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex BracketName();
}
