using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Cloudbill.Core.Tests.Architecture;

/// <summary>
/// Each table is written by its owning feature only (docs/decisions/0028-one-payment-pipeline.md):
/// an order's status by <see cref="Order"/>'s transitions, a coupon's freeze and remaining amount by
/// Coupons, an instance's hold, expiry and release by Instances, the journal by Ledger. A write is a
/// property setter, or an EF <c>ExecuteUpdate</c>/<c>SetProperty</c>/<c>ExecuteDelete</c> on the
/// entity, found in the compiled code (lambdas and async methods count for the type that holds them).
/// The rule is also run on a fixture that breaks it, to show that it fails when it should.
/// </summary>
public class TableOwnershipTests
{
    private const string CorePrefix = "Cloudbill.Core";
    private const string FixturePrefix = "Cloudbill.Core.Tests.Architecture.Fixtures";

    /// <summary>
    /// The owner of each table, and of an instance the columns of its hold (R3.3), expiry (R3.2)
    /// and release (R1.5); the other columns of an instance are its schedule, which the feature
    /// that runs it keeps (renewal method: Renewals; due times and meters: Lifecycle, PayAsYouGo).
    /// </summary>
    private static readonly IReadOnlyList<Ownership> Owners =
    [
        new(typeof(Order), "Orders"),
        new(typeof(OrderLine), "Orders"),
        new(typeof(Coupon), "Coupons"),
        new(typeof(JournalTransaction), "Ledger"),
        new(typeof(Posting), "Ledger"),
        new(typeof(LedgerAccount), "Ledger"),
        new(typeof(Instance), "Instances", [nameof(Instance.Id), nameof(Instance.UnpaidOrderId), nameof(Instance.ExpiresAt), nameof(Instance.ReleasedAt), nameof(Instance.CreatedByOrderId)]),
    ];

    /// <summary>Persistence holds the DbContext of every table; Demo seeds a fresh database before anyone uses it (never in Production).</summary>
    private static readonly HashSet<string> Exempt = ["Persistence", "Demo"];

    private static readonly Lazy<ModuleDefinition> Core = new(() => ModuleDefinition.ReadModule(typeof(CoreServices).Assembly.Location));
    private static readonly Lazy<ModuleDefinition> Tests = new(() => ModuleDefinition.ReadModule(typeof(TableOwnershipTests).Assembly.Location));

    [Fact]
    public void Every_table_of_the_payment_pipeline_is_written_only_by_its_owner()
    {
        var foreign = Writes(Core.Value, CorePrefix)
            .Where(w => !Exempt.Contains(w.Writer))
            .Select(w => (Write: w, Owner: Owners.FirstOrDefault(o => o.Entity.FullName == w.Entity && o.Owns(w.Property))))
            .Where(x => x.Owner is not null && x.Owner.Feature != x.Write.Writer)
            .Select(x => x.Write.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(foreign.Count == 0, "Writes outside the owning feature: " + string.Join("; ", foreign));
    }

    [Fact]
    public void The_rule_sees_the_set_based_writes_of_the_owners()
    {
        var writes = Writes(Core.Value, CorePrefix).Select(w => w.ToString()).ToHashSet();
        Assert.Contains($"Coupons.CouponHolds writes {typeof(Coupon).FullName}.FrozenByOrderId", writes);
        Assert.Contains($"Coupons.CouponHolds writes {typeof(Coupon).FullName}.Remaining", writes);
        Assert.Contains($"Instances.InstanceHolds writes {typeof(Instance).FullName}.UnpaidOrderId", writes);
        Assert.Contains($"Orders.Order writes {typeof(Order).FullName}.Status", writes);
    }

    [Fact]
    public void The_rule_finds_a_property_of_another_features_entity_set()
    {
        var writes = Writes(Tests.Value, FixturePrefix).Where(w => w.Entity == typeof(Fixtures.Lower.Entry).FullName && w.Writer != "Lower").ToList();
        var write = Assert.Single(writes);
        Assert.Equal($"Higher.Ledger writes {typeof(Fixtures.Lower.Entry).FullName}.Owner", write.ToString());
    }

    private sealed record Ownership(Type Entity, string Feature, IReadOnlyList<string>? Columns = null)
    {
        public bool Owns(string property) => Columns is null || Columns.Contains(property);
    }

    private sealed record Write(string Writer, string WriterType, string Entity, string Property)
    {
        public override string ToString() => $"{Writer}.{WriterType} writes {Entity}.{Property}";
    }

    /// <summary>Every write to an entity's property in the module's types under <paramref name="prefix"/>.</summary>
    private static IEnumerable<Write> Writes(ModuleDefinition module, string prefix)
    {
        foreach (var type in module.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is not null)
                outer = outer.DeclaringType;
            if (!outer.Namespace.StartsWith(prefix + ".", StringComparison.Ordinal))
                continue;
            var feature = outer.Namespace[(prefix.Length + 1)..].Split('.')[0];
            var writerType = outer.Name;
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is not MethodReference called || instruction.OpCode.Code is not (Code.Call or Code.Callvirt))
                        continue;
                    if (called.Name.StartsWith("set_", StringComparison.Ordinal))
                    {
                        yield return new Write(feature, writerType, called.DeclaringType.FullName, called.Name[4..]);
                        continue;
                    }
                    // SetProperty(e => e.Column, value): the column is the last property getter whose token the lambda loaded.
                    if (called.Name == "SetProperty" && called.DeclaringType is GenericInstanceType builder)
                    {
                        var column = PropertyNamedBefore(instruction);
                        yield return new Write(feature, writerType, builder.GenericArguments[0].FullName, column ?? "?");
                    }
                    if (called.Name is "ExecuteDelete" or "ExecuteDeleteAsync" && called is GenericInstanceMethod delete)
                        yield return new Write(feature, writerType, delete.GenericArguments[0].FullName, "*");
                }
            }
        }
    }

    /// <summary>
    /// The column of <c>SetProperty(e => e.Column, value)</c>: the first property getter loaded (ldtoken,
    /// for the selector's expression tree) since the previous SetProperty of the chain.
    /// </summary>
    private static string? PropertyNamedBefore(Instruction call)
    {
        string? column = null;
        for (var i = call.Previous; i is not null; i = i.Previous)
        {
            if (i.Operand is MethodReference { Name: "SetProperty" })
                break;
            if (i.OpCode.Code == Code.Ldtoken && i.Operand is MethodReference getter && getter.Name.StartsWith("get_", StringComparison.Ordinal))
                column = getter.Name[4..];
        }
        return column;
    }
}
