using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Tests.History;

/// <summary>The closed hours' codec: every value back bit for bit, on a generated board and on the awkward doubles.</summary>
public sealed class QuoteBlockTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private sealed record Row(long Time, long Age, long Lag, byte Status, double Delivery, double[] Fields);

    [Fact]
    public void Every_value_of_a_generated_board_comes_back_bit_for_bit_in_a_fraction_of_its_size()
    {
        var runs = new Dictionary<(string, long), List<Row>>();
        foreach (var step in new HistoryGenerator(new HistoryGeneratorSettings { Start = Start, Span = TimeSpan.FromHours(2), OptionCount = 400, Measures = false }).Steps(TestContext.Current.CancellationToken))
        {
            var time = step.Snapshot.Time.ToUnixTimeMilliseconds();
            foreach (var quote in step.Snapshot.Quotes)
            {
                var key = (quote.Instrument.Symbol, time / 3_600_000);
                if (!runs.TryGetValue(key, out var run))
                    runs[key] = run = [];
                var fields = new double[QuoteFields.Count];
                for (var f = 0; f < fields.Length; f++)
                    fields[f] = quote.Quote.Values[f];
                run.Add(new Row(time, time - quote.Quote.ExchangeTimeMs, quote.Quote.ReceivedAtMs - quote.Quote.ExchangeTimeMs, (byte)quote.Quote.Status, quote.Quote.DeliveryPrice, fields));
            }
        }
        long bytes = 0, snapshots = 0;
        foreach (var run in runs.Values)
        {
            var block = Encode(run);
            bytes += block.Length;
            snapshots += run.Count;
            AssertDecodes(run, block);
        }
        var perSnapshot = (double)bytes / snapshots;
        output.WriteLine($"{runs.Count} blocks, {snapshots} option snapshots, {perSnapshot:F1} B each (raw: {8 * (QuoteFields.Count + 5)} B)");
        Assert.InRange(perSnapshot, 1, 60);
    }

    [Fact]
    public void Awkward_doubles_and_extreme_integers_come_back_bit_for_bit()
    {
        double[] awkward =
        [
            double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon,
            0.1 + 0.2, 1e300, 9007199254740993.0, 123456.12345678, -0.00001234, 5, 7.5, 1e-20,
        ];
        var random = new Random(7);
        for (var round = 0; round < 400; round++)
        {
            var count = round % 64 + 1;
            var rows = new List<Row>();
            var time = round % 3 == 0 ? long.MinValue / 2 : 1_790_000_000_000L;
            for (var i = 0; i < count; i++)
            {
                time += round % 2 == 0 ? 60_000 : random.Next(1, 1_000_000);
                var fields = new double[QuoteFields.Count];
                for (var f = 0; f < fields.Length; f++)
                {
                    fields[f] = (f + round) % 4 switch
                    {
                        0 => awkward[random.Next(awkward.Length)],
                        1 => BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && !double.IsNaN(d) ? d : double.NaN,
                        2 => Math.Round(random.NextDouble() * 1e5, random.Next(0, 9)),
                        _ => f,
                    };
                }
                long age = (i % 3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => random.Next(-5, 100) };
                rows.Add(new Row(time, age, random.NextInt64(), (byte)random.Next(256), awkward[random.Next(awkward.Length)], fields));
            }
            AssertDecodes(rows, Encode(rows));
        }
    }

    [Fact]
    public void Fields_that_change_now_and_then_keep_only_their_changes()
    {
        // A turnover at 4 decimals jumps by a trade's notional (~2^30 units) a few times an hour and is still in between:
        // each jump costs its own bits, not its width on every row of the block.
        var random = new Random(11);
        for (var round = 0; round < 300; round++)
        {
            var count = round % 63 + 2;
            var rows = new List<Row>();
            var time = 1_790_000_000_000L;
            var fields = new double[QuoteFields.Count];
            for (var f = 0; f < fields.Length; f++)
                fields[f] = Math.Round(random.NextDouble() * 1e6, 4);
            long age = 5, lag = long.MaxValue - 3;
            for (var i = 0; i < count; i++)
            {
                time += 60_000;
                if (random.NextDouble() < 0.05)
                    age = random.Next(2) == 0 ? random.NextInt64() : long.MinValue + random.Next(10);
                if (random.NextDouble() < 0.05)
                    lag = unchecked(lag + random.Next(0, 10)); // wraps past long.MaxValue
                var row = (double[])fields.Clone();
                for (var f = 0; f < row.Length; f++)
                {
                    var chance = random.NextDouble();
                    if (chance < 0.05)
                        fields[f] = Math.Round(fields[f] + random.NextDouble() * 1e5, 4);
                    else if (chance < 0.06)
                        fields[f] = -fields[f];
                    row[f] = chance > 0.98 ? double.NaN : fields[f];
                }
                rows.Add(new Row(time, age, lag, 1, double.NaN, row));
            }
            AssertDecodes(rows, Encode(rows));
        }

        // Size: two jumps in an hour cost a bit a row and the jumps, not 34 bits on each of the 59 deltas.
        List<Row> Hour(bool jumps)
        {
            var hour = new List<Row>();
            for (var i = 0; i < 60; i++)
            {
                var fields = new double[QuoteFields.Count];
                fields[(int)QuoteField.TotalTurnover] = 1_437_431.1234 + (jumps && i >= 20 ? 45_123.5678 : 0) + (jumps && i >= 41 ? 90_345.0001 : 0);
                hour.Add(new Row(1_790_000_000_000L + 60_000L * i, 50, 10, 1, double.NaN, fields));
            }
            return hour;
        }
        var still = Encode(Hour(jumps: false));
        var jumping = Encode(Hour(jumps: true));
        AssertDecodes(Hour(jumps: true), jumping);
        output.WriteLine($"an hour with a still turnover {still.Length} B, with two jumps {jumping.Length} B");
        Assert.InRange(jumping.Length - still.Length, 1, 24);
    }

    [Fact]
    public void Bad_blocks_and_bad_calls_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => QuoteBlock.Encode(new QuoteBlockRows()));
        var rows = new QuoteBlockRows();
        var fields = new double[QuoteFields.Count];
        for (var i = 0; i < QuoteBlock.MaxRows; i++)
            rows.Add(i, 0, 0, 0, double.NaN, fields);
        Assert.Throws<InvalidOperationException>(() => rows.Add(1000, 0, 0, 0, double.NaN, fields));
        rows.Clear();
        rows.Add(5, 0, 0, 0, double.NaN, fields);
        Assert.Throws<ArgumentException>(() => rows.Add(5, 0, 0, 0, double.NaN, fields));

        var block = QuoteBlock.Encode(rows);
        Assert.Throws<InvalidDataException>(() => new QuoteBlockReader([]));
        var wrongVersion = block.ToArray();
        wrongVersion[0] = 99;
        Assert.Throws<InvalidDataException>(() => new QuoteBlockReader(wrongVersion));
        Assert.Throws<InvalidDataException>(() => new QuoteBlockReader(block.AsSpan(0, block.Length - 1)));
        var values = new long[QuoteBlock.MaxRows];
        var doubles = new double[QuoteBlock.MaxRows];
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuoteBlockReader(block).ReadIntegers(QuoteBlock.DeliveryPriceColumn, values));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuoteBlockReader(block).ReadDoubles(QuoteBlock.TimeColumn, doubles));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuoteBlockReader(block).DoubleAt(QuoteBlock.ColumnOf(QuoteField.MarkPrice), 1));
    }

    private static byte[] Encode(List<Row> run)
    {
        var rows = new QuoteBlockRows();
        foreach (var row in run)
            rows.Add(row.Time, row.Age, row.Lag, row.Status, row.Delivery, row.Fields);
        return QuoteBlock.Encode(rows);
    }

    private static void AssertDecodes(List<Row> run, byte[] block)
    {
        var reader = new QuoteBlockReader(block);
        Assert.Equal(run.Count, reader.Count);
        var integers = new long[QuoteBlock.MaxRows];
        var doubles = new double[QuoteBlock.MaxRows];
        Func<Row, long>[] integerColumns = [r => r.Time, r => r.Age, r => r.Lag, r => r.Status];
        for (var column = 0; column < integerColumns.Length; column++)
        {
            reader.ReadIntegers(column, integers);
            for (var i = 0; i < run.Count; i++)
            {
                Assert.Equal(integerColumns[column](run[i]), integers[i]);
                Assert.Equal(integers[i], reader.IntegerAt(column, i));
            }
        }
        for (var column = QuoteBlock.DeliveryPriceColumn; column < QuoteBlock.ColumnCount; column++)
        {
            reader.ReadDoubles(column, doubles);
            for (var i = 0; i < run.Count; i++)
            {
                var want = column == QuoteBlock.DeliveryPriceColumn ? run[i].Delivery : run[i].Fields[column - QuoteBlock.DeliveryPriceColumn - 1];
                Assert.Equal(Bits(want), Bits(doubles[i]));
                Assert.Equal(Bits(want), Bits(reader.DoubleAt(column, i)));
            }
        }
    }

    // Any NaN is "missing" and reads back as double.NaN: NaN payloads are not kept (the feed never sends one).
    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(double.IsNaN(value) ? double.NaN : value);
}
