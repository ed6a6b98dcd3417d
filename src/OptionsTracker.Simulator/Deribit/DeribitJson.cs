using System.Text.Json;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// Deribit's JSON shapes, written with <see cref="Utf8JsonWriter"/> field by field as the documentation names them (the
/// simulator's own code: nothing here is shared with the tracker's parser).
/// </summary>
internal static class DeribitJson
{
    /// <summary>A ticker's fields (<c>public/ticker</c>'s result and the <c>ticker.{instrument}.100ms</c> data).</summary>
    public static void WriteTicker(Utf8JsonWriter w, in DeribitTicker t)
    {
        w.WriteStartObject();
        w.WriteNumber("timestamp", t.Timestamp);
        w.WriteString("state", t.State);
        w.WriteNumber("settlement_price", t.SettlementPrice);
        w.WriteNumber("open_interest", t.OpenInterest);
        w.WriteNumber("min_price", t.MinPrice);
        w.WriteNumber("max_price", t.MaxPrice);
        w.WriteNumber("mark_price", t.MarkPrice);
        w.WriteNumber("mark_iv", t.MarkIv);
        NumberOrNull(w, "last_price", t.LastPrice);
        w.WriteNumber("interest_rate", t.InterestRate);
        w.WriteString("instrument_name", t.InstrumentName);
        w.WriteNumber("index_price", t.IndexPrice);
        w.WriteStartObject("greeks");
        w.WriteNumber("delta", t.Delta);
        w.WriteNumber("gamma", t.Gamma);
        w.WriteNumber("vega", t.Vega);
        w.WriteNumber("theta", t.Theta);
        w.WriteNumber("rho", t.Rho);
        w.WriteEndObject();
        w.WriteNumber("estimated_delivery_price", t.EstimatedDeliveryPrice);
        w.WriteNumber("bid_iv", t.BidIv);
        w.WriteNumber("best_bid_price", t.BestBidPrice);
        w.WriteNumber("best_bid_amount", t.BestBidAmount);
        w.WriteNumber("best_ask_price", t.BestAskPrice);
        w.WriteNumber("best_ask_amount", t.BestAskAmount);
        w.WriteNumber("ask_iv", t.AskIv);
        w.WriteNumber("underlying_price", t.UnderlyingPrice);
        w.WriteString("underlying_index", t.UnderlyingIndex);
        w.WriteStartObject("stats");
        w.WriteNumber("volume", t.Volume);
        w.WriteNumber("volume_usd", t.VolumeUsd);
        NumberOrNull(w, "price_change", t.PriceChange);
        NumberOrNull(w, "low", t.Low);
        NumberOrNull(w, "high", t.High);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>One <c>public/get_instruments</c> item.</summary>
    public static void WriteInstrument(Utf8JsonWriter w, ListedOption listing, bool isActive)
    {
        var i = listing.Info;
        w.WriteStartObject();
        w.WriteNumber("tick_size", i.TickSize);
        w.WriteNumber("taker_commission", 0.0003);
        w.WriteNumber("maker_commission", 0.0003);
        w.WriteString("instrument_name", i.InstrumentName);
        w.WriteNumber("instrument_id", listing.Source.SymbolId);
        w.WriteString("kind", "option");
        w.WriteString("instrument_type", i.IsInverse ? "reversed" : "linear");
        w.WriteString("option_type", i.OptionType);
        w.WriteNumber("strike", i.Strike);
        w.WriteNumber("expiration_timestamp", listing.ExpirationMs);
        w.WriteNumber("creation_timestamp", listing.CreationMs);
        w.WriteString("settlement_period", listing.SettlementPeriod);
        w.WriteString("settlement_currency", i.IsInverse ? i.BaseCurrency : "USDC");
        w.WriteString("base_currency", i.BaseCurrency);
        w.WriteString("quote_currency", i.IsInverse ? i.BaseCurrency : "USDC");
        w.WriteString("counter_currency", i.IsInverse ? "USD" : "USDC");
        w.WriteString("price_index", listing.IndexName);
        w.WriteNumber("contract_size", i.ContractSize);
        w.WriteNumber("min_trade_amount", i.MinTradeAmount);
        w.WriteNumber("block_trade_commission", 0.0003);
        w.WriteNumber("block_trade_min_trade_amount", i.IsInverse ? 25 * i.MinTradeAmount : 10 * i.MinTradeAmount);
        w.WriteNumber("block_trade_tick_size", i.TickSize);
        w.WriteBoolean("is_active", isActive);
        w.WriteString("state", isActive ? "open" : "closed");
        w.WriteString("rfq", "false");
        w.WriteEndObject();
    }

    /// <summary>One <c>public/get_book_summary_by_currency</c> item; an empty side is <c>null</c>, as documented.</summary>
    public static void WriteBookSummary(Utf8JsonWriter w, ListedOption listing, in DeribitTicker t)
    {
        var i = listing.Info;
        w.WriteStartObject();
        w.WriteNumber("volume", t.Volume);
        w.WriteNumber("volume_usd", t.VolumeUsd);
        w.WriteNumber("underlying_price", t.UnderlyingPrice);
        w.WriteString("underlying_index", t.UnderlyingIndex);
        w.WriteString("quote_currency", i.IsInverse ? i.BaseCurrency : "USDC");
        NumberOrNull(w, "price_change", t.PriceChange);
        w.WriteNumber("open_interest", t.OpenInterest);
        w.WriteNumber("mid_price", t.BestBidPrice > 0 && t.BestAskPrice > 0 ? Math.Round((t.BestBidPrice + t.BestAskPrice) / 2, 8) : double.NaN, nullWhenNaN: true);
        w.WriteNumber("mark_price", t.MarkPrice);
        w.WriteNumber("mark_iv", t.MarkIv);
        NumberOrNull(w, "low", t.Low);
        NumberOrNull(w, "last", t.LastPrice);
        w.WriteNumber("interest_rate", t.InterestRate);
        w.WriteString("instrument_name", i.InstrumentName);
        NumberOrNull(w, "high", t.High);
        w.WriteNumber("estimated_delivery_price", t.EstimatedDeliveryPrice);
        w.WriteNumber("creation_timestamp", t.Timestamp);
        NumberOrNull(w, "bid_price", t.BestBidPrice > 0 ? t.BestBidPrice : double.NaN);
        w.WriteString("base_currency", i.BaseCurrency);
        NumberOrNull(w, "ask_price", t.BestAskPrice > 0 ? t.BestAskPrice : double.NaN);
        w.WriteEndObject();
    }

    /// <summary>One trade, as the trades channel and get_last_trades_by_currency carry it.</summary>
    public static void WriteTrade(Utf8JsonWriter w, DeribitTrade t)
    {
        w.WriteStartObject();
        w.WriteString("trade_id", t.TradeId);
        w.WriteNumber("trade_seq", t.TradeSeq);
        w.WriteNumber("timestamp", t.Timestamp);
        w.WriteNumber("tick_direction", t.TickDirection);
        w.WriteString("instrument_name", t.InstrumentName);
        w.WriteString("direction", t.Direction);
        w.WriteNumber("price", t.Price);
        w.WriteNumber("amount", t.Amount);
        w.WriteNumber("contracts", t.Contracts);
        w.WriteNumber("iv", t.Iv);
        w.WriteNumber("index_price", t.IndexPrice);
        w.WriteNumber("mark_price", t.MarkPrice);
        if (t.BlockTradeId is not null)
        {
            w.WriteString("block_trade_id", t.BlockTradeId);
            w.WriteNumber("block_trade_leg_count", t.BlockTradeLegCount);
        }

        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private static void WriteNumber(this Utf8JsonWriter w, string name, double value, bool nullWhenNaN)
    {
        if (nullWhenNaN && !double.IsFinite(value))
            w.WriteNull(name);
        else
            w.WriteNumber(name, value);
    }
}
