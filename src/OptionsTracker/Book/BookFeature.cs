namespace OptionsTracker.Book;

public static class BookFeature
{
    public static void AddBook(this WebApplicationBuilder builder)
    {
        // The store (IOptionStore) is chosen by the store feature (StoreFeature) from configuration and role.
        builder.Services.AddSingleton<OptionBook>();
    }
}
