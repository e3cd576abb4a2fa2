using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace EnvScore.Api.Infrastructure.Errors;

/// <summary>
/// When the OData reader could not bind a write body (an entity for POST, a Delta for PATCH, an action's parameters), it
/// says only "the body could not be read" in English. This names the field: the body (kept by
/// <see cref="ControlCharacterGuard"/>) is compared with the EDM type the request addresses, member by member — a string
/// where Edm.Int32 is declared, 1.5 or 99999999999 for Edm.Int32, "yes" for Edm.Boolean, a null for a non-nullable
/// property, a name the type does not have — and the first mismatch is returned as (JSON path, Chinese expectation).
/// </summary>
public static class ODataBodyErrors
{
    internal const string BodyKey = "EnvScore.JsonBody";

    /// <summary>The first field of the request's JSON body that does not fit the addressed EDM type or action; null if none found.</summary>
    public static (string Field, string Message)? Find(HttpContext http)
    {
        if (http.Items[BodyKey] is not byte[] bytes) return null;
        var feature = http.ODataFeature();
        if (feature?.Path is not { } path || feature.Model is null) return null;
        JsonDocument document;
        try { document = JsonDocument.Parse(bytes); }
        catch (JsonException) { return null; }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            if (path.LastSegment is OperationSegment operation && operation.Operations.FirstOrDefault() is IEdmAction action)
                return Parameters(action, document.RootElement);
            var type = path.LastSegment?.EdmType switch
            {
                IEdmCollectionType c => c.ElementType.Definition,
                var t => t,
            };
            return type is IEdmStructuredType structured ? Object(structured, document.RootElement, "") : null;
        }
    }

    private static (string, string)? Parameters(IEdmAction action, JsonElement body)
    {
        foreach (var member in body.EnumerateObject())
        {
            var parameter = action.Parameters.FirstOrDefault(p => p.Name == member.Name);
            if (parameter is null)
            {
                if (member.Name.Contains('@')) continue;
                var known = string.Join("、", action.Parameters.Where(p => !action.IsBound || p != action.Parameters.First()).Select(p => p.Name));
                return (member.Name, $"字段{member.Name}不是操作{action.Name}的参数；可用的参数：{(known.Length == 0 ? "无" : known)} (unknown parameter)");
            }
            if (Value(parameter.Type, member.Value, member.Name) is { } problem) return problem;
        }
        return null;
    }

    private static (string, string)? Object(IEdmStructuredType type, JsonElement body, string prefix)
    {
        foreach (var member in body.EnumerateObject())
        {
            if (member.Name.Contains('@')) continue; // annotations (@odata.type, @odata.etag)
            var field = prefix + member.Name;
            var property = type.FindProperty(member.Name);
            if (property is null)
            {
                if (type.IsOpen) continue;
                var names = string.Join("、", type.StructuralProperties().Select(p => p.Name));
                return (field, $"字段{field}不存在；可写的字段见 $metadata（{names}） (unknown field)");
            }
            if (property is IEdmNavigationProperty) continue;
            if (Value(property.Type, member.Value, field) is { } problem) return problem;
        }
        return null;
    }

    private static (string, string)? Value(IEdmTypeReference type, JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return type.IsNullable ? null : (field, $"字段{field}的值无效：不能为null，{Expected(type)} (must not be null)");
        if (type.IsCollection())
        {
            if (value.ValueKind != JsonValueKind.Array) return Wrong(field, type);
            var element = type.AsCollection().ElementType();
            var i = 0;
            foreach (var item in value.EnumerateArray())
                if (Value(element, item, $"{field}[{i++}]") is { } problem) return problem;
            return null;
        }
        if (type.IsStructured())
            return value.ValueKind == JsonValueKind.Object ? Object(type.AsStructured().StructuredDefinition(), value, field + ".") : Wrong(field, type);
        if (type.IsEnum())
        {
            var members = type.AsEnum().EnumDefinition().Members.Select(m => m.Name).ToList();
            return value.ValueKind == JsonValueKind.String && members.Contains(value.GetString()!)
                ? null
                : (field, $"字段{field}的值无效：应为{string.Join("、", members.Select(m => $"\"{m}\""))}之一 (not one of the allowed values)");
        }
        if (!type.IsPrimitive()) return null;
        var ok = type.PrimitiveKind() switch
        {
            EdmPrimitiveTypeKind.String => value.ValueKind == JsonValueKind.String,
            EdmPrimitiveTypeKind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            EdmPrimitiveTypeKind.Int32 => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            EdmPrimitiveTypeKind.Int16 => value.ValueKind == JsonValueKind.Number && value.TryGetInt16(out _),
            EdmPrimitiveTypeKind.Byte => value.ValueKind == JsonValueKind.Number && value.TryGetByte(out _),
            EdmPrimitiveTypeKind.Int64 => value.ValueKind is JsonValueKind.Number && value.TryGetInt64(out _)
                                          || value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            EdmPrimitiveTypeKind.Decimal or EdmPrimitiveTypeKind.Double or EdmPrimitiveTypeKind.Single =>
                value.ValueKind == JsonValueKind.Number
                || value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            EdmPrimitiveTypeKind.DateTimeOffset => value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            EdmPrimitiveTypeKind.Date => value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            EdmPrimitiveTypeKind.TimeOfDay => value.ValueKind == JsonValueKind.String && TimeOnly.TryParse(value.GetString(), CultureInfo.InvariantCulture, out _),
            EdmPrimitiveTypeKind.Guid => value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out _),
            _ => true,
        };
        return ok ? null : Wrong(field, type);
    }

    private static (string, string) Wrong(string field, IEdmTypeReference type) =>
        (field, $"字段{field}的值无效：{JsonFieldErrors.ExpectedForField(field) ?? Expected(type)} (wrong JSON type or value)");

    private static string Expected(IEdmTypeReference type) =>
        type.IsCollection() ? "应为数组 [...]"
        : type.IsStructured() ? "应为JSON对象 {...}"
        : type.IsEnum() ? "应为接口文档列出的取值之一（字符串）"
        : JsonFieldErrors.ExpectedOfType(type.FullName());
}
